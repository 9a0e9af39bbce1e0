using System.Net;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Settings of a <see cref="LexPolicyEmulatorServer"/>: where it listens and the limits that keep a hostile or broken client
/// from holding its memory or connections. Worst-case buffer memory is about
/// <see cref="MaxConnections"/> × (<see cref="MaxRequestHeadersBytes"/> + <see cref="MaxRequestBodyBytes"/>).
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

    /// <summary>The largest request line plus header section; a larger one is answered 431 and the connection closed. Default: 32 KiB.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>The largest request body (declared or chunked); a larger one is answered 413 without being kept. Default: 1 MiB.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How many connections are served at once. At the limit an idle keep-alive connection is closed to make room; when none
    /// is idle, new connections wait in the listen backlog. Default: 128.
    /// </summary>
    public int MaxConnections { get; set; } = 128;

    /// <summary>How long an idle keep-alive connection stays open waiting for its next request. Default: 60 seconds.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a client may take to send a request line and headers, once it started (a slower client's connection is closed, without an answer). Default: 10 seconds.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a client may take to send a request body, and to take its answer. Default: 30 seconds.</summary>
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
    }
}
