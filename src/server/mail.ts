import nodemailer from "nodemailer";
import type { MailSettings } from "../store/statements.ts";

// Sending a shared statement by e-mail over SMTP (the app's mail settings; the password is a sealed
// connection secret of the connection "smtp").

export const SMTP_SECRETS = "smtp";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  attachment?: { filename: string; content: Buffer; contentType: string };
}

export async function sendMail(
  settings: MailSettings,
  password: string | undefined,
  mail: Mail,
): Promise<string> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: password ?? "" } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.attachment ? { attachments: [mail.attachment] } : {}),
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}
