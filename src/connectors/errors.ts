// Failures of an outside system, in words a billing manager can act on. They never carry a
// credential: messages are built from the connection name, method, path and the system's answer.

export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ConnectionError";
  }
}

/** A write whose answer never came (timeout, dropped connection, 5xx): it may or may not have happened. */
export class UnknownOutcomeError extends ConnectionError {
  constructor(message: string, status?: number) {
    super(message, status);
    this.name = "UnknownOutcomeError";
  }
}

/** A secret's environment variable is not set. */
export class MissingSecretError extends ConnectionError {
  constructor(connection: string, secret: string, variable: string | undefined) {
    super(
      variable
        ? `connection ${connection}: ${secret} comes from the environment variable ${variable}, which is not set`
        : `connection ${connection}: no ${secret} given (set ${secret}Env in trueup.yaml or store it in the app)`,
    );
    this.name = "MissingSecretError";
  }
}
