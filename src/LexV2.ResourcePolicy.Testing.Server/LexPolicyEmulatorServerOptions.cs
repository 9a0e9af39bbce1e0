using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Settings of a <see cref="LexPolicyEmulatorServer"/>: where it listens, HTTPS, the admin API, the faults it starts with, and
/// the limits Kestrel applies so that a hostile or broken client cannot hold its memory or connections.
/// </summary>
public sealed class LexPolicyEmulatorServerOptions
{
    /// <summary>The TCP port; 0 picks a free one (read it from <see cref="LexPolicyEmulatorServer.Endpoint"/>). Default: 0.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The loopback address to listen on: <see cref="IPAddress.Loopback"/> (127.0.0.1) or <see cref="IPAddress.IPv6Loopback"/>
    /// (::1); any other address is refused, the server is for tests on one machine. Default: 127.0.0.1.
    /// </summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>
    /// Serve HTTPS (HTTP/1.1 and, negotiated by ALPN, HTTP/2) instead of plain HTTP (HTTP/1.1 and HTTP/2 with prior knowledge).
    /// With no <see cref="Certificate"/> the server generates a self-signed one for <c>localhost</c>, 127.0.0.1 and ::1, valid
    /// for 30 days (<see cref="LexPolicyEmulatorServer.Certificate"/>; clients trust it by its PEM). Default: off.
    /// </summary>
    public bool UseHttps { get; set; }

    /// <summary>The certificate, with its private key, to serve HTTPS with (sets nothing unless <see cref="UseHttps"/>). Default: none (generated).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Serve the admin API under <c>/__emulator/</c> (reset, faults, the request log, policies; see the package README) on
    /// the same listener, unauthenticated. Off, those paths are answered by the emulator like any other unknown path. Default: off.
    /// </summary>
    public bool EnableAdminApi { get; set; }

    /// <summary>Added to every answer (<see cref="EmulatorFaults.Latency"/>), from the start and again after each admin reset. Default: zero.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Requests beyond this many a second are answered 429 <c>ThrottlingException</c> (<see cref="EmulatorFaults.ThrottleAbove"/>),
    /// from the start and again after each admin reset. Default: none.
    /// </summary>
    public double? ThrottleAbove { get; set; }

    /// <summary>The largest request line, and the largest header section; larger ones are answered 414 or 431. Default: 32 KiB.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>The largest request body (declared or chunked); a larger one is answered 413 without being kept. Default: 1 MiB.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How many connections are served at once, and how many request bodies are held at once (HTTP/2 streams included: a
    /// request beyond it waits for one to finish before its body is read). Kestrel closes a connection opened beyond the limit
    /// at once, without an answer; connections already open are never closed to make room. Default: 128.
    /// </summary>
    public int MaxConnections { get; set; } = 128;

    /// <summary>How long an idle keep-alive connection stays open waiting for its next request. Default: 60 seconds.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a client may take to send a request line and headers (a slower client's connection is closed). Default: 10 seconds.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a client may take to send a request body (a slower client's connection is closed, without an answer). Default: 30 seconds.</summary>
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (!IPAddress.IsLoopback(Address ?? throw new ArgumentException("Address must be set.", nameof(Address))))
        {
            throw new ArgumentException($"The emulator server listens on loopback only (127.0.0.1 or ::1), not {Address}.", nameof(Address));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, IPEndPoint.MaxPort, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestHeadersBytes, 1024, nameof(MaxRequestHeadersBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRequestBodyBytes, nameof(MaxRequestBodyBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConnections, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAliveTimeout, TimeSpan.Zero, nameof(KeepAliveTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestHeadersTimeout, TimeSpan.Zero, nameof(RequestHeadersTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestBodyTimeout, TimeSpan.Zero, nameof(RequestBodyTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(Latency, TimeSpan.Zero, nameof(Latency));
        if (ThrottleAbove is { } rate && (!(rate > 0) || double.IsInfinity(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(ThrottleAbove), rate, "The rate must be a positive, finite number of requests per second.");
        }

        if (UseHttps && Certificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("The HTTPS certificate must have its private key.", nameof(Certificate));
        }
    }

    /// <summary>The faults the options set, applied at start and after each admin reset.</summary>
    internal void ApplyFaults(EmulatorFaults faults)
    {
        faults.Latency = Latency;
        if (ThrottleAbove is { } rate)
        {
            faults.ThrottleAbove(rate);
        }
    }
}
