using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Serves a <see cref="LexPolicyEmulator"/> over HTTP/1.1 on a loopback address, so any AWS client (another language's SDK, the
/// AWS CLI with <c>--endpoint-url</c>) can use it as it uses the real service. It is a small server on raw sockets on purpose:
/// the SigV4 verifier sees the request target and the header lines exactly as received, which a general-purpose server would
/// re-split, merge or re-format. It handles keep-alive, sequential (pipelined) requests on a connection, Content-Length and
/// chunked bodies, <c>Expect: 100-continue</c>; malformed requests get 400 and a closed connection, oversized ones 413/431;
/// slow clients are timed out; bodies of requests that fail authentication are read and discarded, never kept.
/// </summary>
/// <example>
/// <code>
/// var emulator = new LexPolicyEmulator();
/// await using var server = LexPolicyEmulatorServer.Start(emulator);
/// var options = new LexPolicyClientOptions { ServiceUrl = server.Endpoint, Region = "us-east-1", Credentials = ... };
/// </code>
/// </example>
public sealed class LexPolicyEmulatorServer : IAsyncDisposable
{
    private readonly LexPolicyEmulator _emulator;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<long, EmulatorConnection> _connections = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;
    private long _nextId;
    private int _disposed;

    private LexPolicyEmulatorServer(LexPolicyEmulator emulator, Socket listener, LexPolicyEmulatorServerOptions options)
    {
        _emulator = emulator;
        _listener = listener;
        Limits = new ServerLimits(options.MaxRequestHeadersBytes, options.MaxRequestBodyBytes, options.KeepAliveTimeout, options.RequestHeadersTimeout, options.RequestBodyTimeout,
            ArrayPool<byte>.Create(Math.Max(options.MaxRequestBodyBytes, 16), Math.Min(options.MaxConnections, 64)));
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        var local = (IPEndPoint)listener.LocalEndPoint!;
        string host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local.Address}]" : local.Address.ToString();
        Endpoint = new Uri($"http://{host}:{local.Port.ToString(CultureInfo.InvariantCulture)}/");
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where the server listens: <c>http://127.0.0.1:PORT/</c> (or <c>http://[::1]:PORT/</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>Completes when the server has stopped and every connection has been closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>How many connections are open now.</summary>
    public int ConnectionCount => _connections.Count;

    internal ServerLimits Limits { get; }

    internal LexPolicyEmulator Emulator => _emulator;

    /// <summary>Starts serving <paramref name="emulator"/> on 127.0.0.1.</summary>
    /// <param name="emulator">The emulator; share it with the test to arrange state, inject faults and inspect requests.</param>
    /// <param name="port">The TCP port; 0 (the default) picks a free one.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    /// <exception cref="SocketException">The port is taken.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The (emulator, port) shape is the documented entry point; options are a separate, explicit overload.")]
    public static LexPolicyEmulatorServer Start(LexPolicyEmulator emulator, int port = 0) =>
        Start(emulator, new LexPolicyEmulatorServerOptions { Port = port });

    /// <summary>Starts serving <paramref name="emulator"/> with the given address, port and limits.</summary>
    /// <param name="emulator">The emulator.</param>
    /// <param name="options">Where to listen and the limits; read once, at start.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or the address is not a loopback address.</exception>
    /// <exception cref="SocketException">The port is taken, or the address is not available on this machine.</exception>
    public static LexPolicyEmulatorServer Start(LexPolicyEmulator emulator, LexPolicyEmulatorServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var listener = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(options.Address, options.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new LexPolicyEmulatorServer(emulator, listener, options);
    }

    /// <summary>Stops accepting connections, closes the open ones (a request being answered is cut off) and waits for them.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            _listener.Dispose();
            await _acceptLoop.ConfigureAwait(false);
            foreach (var connection in _connections.Values)
            {
                connection.Abort();
            }

            await Task.WhenAll(_connections.Values.Select(c => c.Completion)).ConfigureAwait(false);
            _stopping.Dispose();
            _completion.TrySetResult();
        }

        await _completion.Task.ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a connection reset before it was accepted
            }

            try
            {
                if (!await _slots.WaitAsync(0, CancellationToken.None).ConfigureAwait(false))
                {
                    // At the limit: make room by closing the keep-alive connection idle longest (one already answered), else
                    // wait for one to finish.
                    _connections.Values.Where(c => c.CanMakeRoom).OrderBy(c => c.IdleSince).FirstOrDefault()?.Abort();
                    await _slots.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                return;
            }

            long id = Interlocked.Increment(ref _nextId);
            var connection = new EmulatorConnection(this, socket, stopping);
            _connections[id] = connection;
            connection.Start(() =>
            {
                _connections.TryRemove(id, out _);
                _slots.Release();
            });
        }
    }

    /// <summary>The limits a connection applies, fixed at start.</summary>
    internal sealed record ServerLimits(int MaxHeadBytes, int MaxBodyBytes, TimeSpan KeepAlive, TimeSpan HeadersTimeout, TimeSpan BodyTimeout, ArrayPool<byte> BodyPool);
}
