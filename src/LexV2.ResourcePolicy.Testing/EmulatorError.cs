using System.Net;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>An error the emulator answers with: status, AWS error code and message.</summary>
internal sealed record EmulatorError(HttpStatusCode Status, string Code, string Message);
