import type { Bundle, Service } from "./types.ts";
import { lowerSku } from "./users.ts";

/** Lookups over the services and bundles: by id, by PSA product, by vendor SKU. */
export class Catalogue {
  readonly services = new Map<string, Service>();
  readonly bundles = new Map<string, Bundle>();
  private readonly products = new Map<string, { kind: "bundle" | "service"; id: string }>();
  private readonly skus = new Map<string, string>();

  constructor(services: readonly Service[], bundles: readonly Bundle[]) {
    for (const s of services) {
      this.services.set(s.id, s);
      if (s.psaProduct) this.products.set(productKey(s.psaProduct), { kind: "service", id: s.id });
      for (const v of s.vendorSkus) this.skus.set(skuKey(v.vendor, v.sku), s.id);
    }
    for (const b of bundles) {
      this.bundles.set(b.id, b);
      if (b.psaProduct) this.products.set(productKey(b.psaProduct), { kind: "bundle", id: b.id });
    }
  }

  service(id: string): Service {
    const s = this.services.get(id);
    if (!s) throw new Error(`unknown service ${id}`);
    return s;
  }

  /** The bundle or service a PSA product bills, compared without regard to case. */
  product(product: string): { kind: "bundle" | "service"; id: string } | undefined {
    return this.products.get(productKey(product));
  }

  /** The service a vendor's SKU licenses. */
  serviceOfSku(vendor: string, sku: string): string | undefined {
    return this.skus.get(skuKey(vendor, sku));
  }

  /** Vendors that sell a SKU of this service. */
  vendorsOf(serviceId: string): string[] {
    return this.service(serviceId).vendorSkus.map((v) => v.vendor.toLowerCase());
  }

  catalogPrice(kind: "bundle" | "service", id: string) {
    return kind === "bundle" ? (this.bundles.get(id)?.price ?? null) : (this.services.get(id)?.price ?? null);
  }
}

export function productKey(product: string): string {
  return product.trim().toLowerCase();
}

export function skuKey(vendor: string, sku: string): string {
  return `${vendor.trim().toLowerCase()}\u0000${lowerSku(sku)}`;
}
