namespace LexV2.ResourcePolicy.Testing;

/// <summary>Settings of a <see cref="LexPolicyEmulator"/>.</summary>
public sealed class LexPolicyEmulatorOptions
{
    /// <summary>The example access key id of AWS's SigV4 documentation, accepted by default.</summary>
    public const string ExampleAccessKey = "AKIDEXAMPLE";

    /// <summary>The example secret key of AWS's SigV4 documentation, accepted by default. Not a real secret.</summary>
    public const string ExampleSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// <summary>
    /// The accepted credentials, access key id → secret key. A request signed with another key is answered 403
    /// <c>UnrecognizedClientException</c>. Default: the <see cref="ExampleAccessKey"/> / <see cref="ExampleSecretKey"/> pair.
    /// </summary>
    public IDictionary<string, string> Credentials { get; } = new Dictionary<string, string>(StringComparer.Ordinal) { [ExampleAccessKey] = ExampleSecretKey };

    /// <summary>Verify the SigV4 signature of every request. Default: <see langword="true"/>.</summary>
    public bool VerifySignatures { get; set; } = true;

    /// <summary>The region requests must be signed for; <see langword="null"/> accepts any. Default: <see langword="null"/>.</summary>
    public string? Region { get; set; }

    /// <summary>How far a request's signing time may be from the emulator's clock, as AWS allows. Default: 5 minutes.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The emulator's clock (signature expiry, <c>Date</c> headers, latency). Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How many requests the emulator keeps in <see cref="LexPolicyEmulator.Requests"/>; older ones are dropped. Default: 10,000.</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;

    /// <summary>
    /// How many bytes of each request body are kept in <see cref="RecordedRequest.Body"/>; the rest is cut off
    /// (<see cref="RecordedRequest.BodyLength"/> keeps the full length). Bodies of requests that fail authentication are never
    /// kept. Default: 4,096 (4 KiB, more than any valid statement request).
    /// </summary>
    public int MaxRecordedBodyBytes { get; set; } = 4 * 1024;

    /// <summary>
    /// How many bytes the whole request log may hold (paths, headers and kept bodies, counted as UTF-16 text plus a fixed
    /// overhead per entry); the oldest entries are dropped beyond it, the newest is always kept. Default: 16 MiB.
    /// </summary>
    public long MaxRecordedBytes { get; set; } = 16L * 1024 * 1024;
}
