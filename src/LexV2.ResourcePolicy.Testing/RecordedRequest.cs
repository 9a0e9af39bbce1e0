using System.Net;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>A request the emulator received, and how it answered; for assertions in tests.</summary>
/// <param name="Operation">The operation the request was routed to (for example <c>CreateResourcePolicyStatement</c>), or <c>Unknown</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="PathAndQuery">The path and query exactly as sent (still percent-encoded).</param>
/// <param name="ResourceArn">The decoded resource ARN label, when the path had one.</param>
/// <param name="Body">
/// The request body as text, cut to <see cref="LexPolicyEmulatorOptions.MaxRecordedBodyBytes"/>; empty when there was none
/// and when the request failed authentication (such bodies are never kept).
/// </param>
/// <param name="Headers">The request headers as they went over the wire (names lower-case; repeated lines joined with commas).</param>
/// <param name="Status">The status the emulator answered with (0 when it dropped the connection).</param>
/// <param name="ErrorCode">The error code it answered with, if any.</param>
public sealed record RecordedRequest(
    string Operation,
    string Method,
    string PathAndQuery,
    string? ResourceArn,
    string Body,
    IReadOnlyDictionary<string, string> Headers,
    HttpStatusCode Status,
    string? ErrorCode)
{
    /// <summary>The length of the request body in bytes, before <see cref="Body"/> was cut (or left out).</summary>
    public long BodyLength { get; init; }
}
