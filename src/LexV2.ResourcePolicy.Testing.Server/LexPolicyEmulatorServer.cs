using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Serves a <see cref="LexPolicyEmulator"/> over HTTP on a loopback address, hosted by Kestrel, so any AWS client (another
/// language's SDK, the AWS CLI with <c>--endpoint-url</c>) can use it as it uses the real service: HTTP/1.1 and HTTP/2 (h2c
/// with prior knowledge on plain HTTP, h2 by ALPN over HTTPS), optional HTTPS with a generated self-signed certificate, and
/// an optional admin API under <c>/__emulator/</c>. The signature is verified on what was received: Kestrel's raw request
/// target and the header values as sent. Bodies of requests that fail authentication are never read into memory.
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
    private const string ErrorTypeHeader = "x-amzn-ErrorType";
    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private readonly WebApplication _app;
    private readonly LexPolicyEmulator _emulator;
    private readonly LexPolicyEmulatorServerOptions _options;
    private readonly ArrayPool<byte> _bodyPool;
    private readonly SemaphoreSlim _bodySlots;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ListenOptions? _listener;
    private ListenOptions? _http2Listener;
    private ConnectionDelegate? _http2PriorKnowledge;
    private int _connections;
    private int _disposed;

    private LexPolicyEmulatorServer(LexPolicyEmulator emulator, LexPolicyEmulatorServerOptions options, X509Certificate2? certificate)
    {
        _emulator = emulator;
        _options = options;
        Certificate = certificate;
        // Bodies are read into arrays from a pool of the server's own, bounded like its connections: a flood of large
        // requests (whose signature can only be checked once their body is read) reuses the same few arrays.
        _bodyPool = ArrayPool<byte>.Create(Math.Max(options.MaxRequestBodyBytes, 16), Math.Min(options.MaxConnections, 64));
        // HTTP/2 carries up to 100 requests on one connection: at most as many bodies are held at once as HTTP/1.1 connections
        // could hold, whatever the protocol, or a few multiplexed connections would hold a hundred bodies each.
        _bodySlots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        _app = Build(options, certificate);
        if (options.EnableAdminApi)
        {
            // Only the admin paths go through routing (its minimal-API routes); every other request goes straight to the
            // emulator, without a route lookup.
            _app.Use(next => context => context.Request.Path.StartsWithSegments(EmulatorAdminApi.Prefix, StringComparison.Ordinal) ? next(context) : ServeAsync(context));
            _app.UseRouting();
            EmulatorAdminApi.Map(_app, emulator, options);
        }
        else
        {
            _app.Run(ServeAsync);
        }
    }

    /// <summary>Where the server listens: <c>http://127.0.0.1:PORT/</c> (<c>https://</c> with HTTPS; <c>[::1]</c> on IPv6).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The certificate served over HTTPS (the generated one unless one was given); <see langword="null"/> on plain HTTP.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Completes when the server has stopped and every connection has been closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>How many connections are open now.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>The HTTP/2-only endpoint the public port hands h2c connections to (plain HTTP only); nothing announces it.</summary>
    internal IPEndPoint? Http2PriorKnowledgeEndPoint => _http2Listener?.IPEndPoint;

    /// <summary>Starts serving <paramref name="emulator"/> on 127.0.0.1.</summary>
    /// <param name="emulator">The emulator; share it with the test to arrange state, inject faults and inspect requests.</param>
    /// <param name="port">The TCP port; 0 (the default) picks a free one.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    /// <exception cref="IOException">The port is taken.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The (emulator, port) shape is the documented entry point; options are a separate, explicit overload.")]
    public static LexPolicyEmulatorServer Start(LexPolicyEmulator emulator, int port = 0) =>
        Start(emulator, new LexPolicyEmulatorServerOptions { Port = port });

    /// <summary>Starts serving <paramref name="emulator"/> with the given address, port, protocols and limits; returns once it listens.</summary>
    /// <param name="emulator">The emulator.</param>
    /// <param name="options">Where to listen, HTTPS, the admin API, faults and limits; read once, at start.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or the address is not a loopback address.</exception>
    /// <exception cref="IOException">The port is taken, or the address is not available on this machine.</exception>
    public static LexPolicyEmulatorServer Start(LexPolicyEmulator emulator, LexPolicyEmulatorServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        X509Certificate2? certificate = options.UseHttps ? options.Certificate ?? SelfSignedCertificate.Create() : null;
        var server = new LexPolicyEmulatorServer(emulator, options, certificate);
        options.ApplyFaults(emulator.Faults); // before the first request can arrive
        try
        {
            // Kestrel binds inside StartAsync; a thread-pool thread keeps a caller's synchronization context out of it.
            Task.Run(() => server._app.StartAsync()).GetAwaiter().GetResult();
        }
        catch
        {
            Task.Run(() => server._app.DisposeAsync().AsTask()).GetAwaiter().GetResult();
            if (options.Certificate is null)
            {
                certificate?.Dispose();
            }

            throw;
        }

        var bound = server._listener!.IPEndPoint!;
        string host = bound.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bound.Address}]" : bound.Address.ToString();
        server.Endpoint = new Uri($"{(certificate is null ? "http" : "https")}://{host}:{bound.Port.ToString(CultureInfo.InvariantCulture)}/");
        return server;
    }

    /// <summary>Stops accepting connections, closes the open ones (a request being answered is cut off) and waits for them.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                // A cancelled token: Kestrel stops listening and aborts the open connections at once, instead of waiting.
                await _app.StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped without waiting for requests in progress, as asked.
            }

            await _app.DisposeAsync().ConfigureAwait(false);
            if (_options.Certificate is null)
            {
                Certificate?.Dispose();
            }

            _completion.TrySetResult();
        }

        await _completion.Task.ConfigureAwait(false);
    }

    private WebApplication Build(LexPolicyEmulatorServerOptions options, X509Certificate2? certificate)
    {
        // No configuration sources (no appsettings.json, no ASPNETCORE_ variables) and no logging: a test fixture behaves the
        // same wherever it runs, and prints nothing of its own.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(LexPolicyEmulatorServer).Assembly.GetName().Name });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, HostedByCaller>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestLineSize = options.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersBytes;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = options.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Limits.KeepAliveTimeout = options.KeepAliveTimeout;
            kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            kestrel.Listen(options.Address, options.Port, listen =>
            {
                _listener = listen;
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(next => async connection =>
                {
                    Interlocked.Increment(ref _connections);
                    try
                    {
                        await next(connection).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _connections);
                    }
                });
                if (certificate is not null)
                {
                    listen.UseHttps(certificate); // HTTP/2 by ALPN
                }
                else
                {
                    listen.Use(next => connection => DispatchCleartextAsync(connection, next));
                }
            });
            if (certificate is null)
            {
                // Kestrel answers HTTP/2 with prior knowledge only on an HTTP/2-only endpoint (on one that also takes HTTP/1.1
                // it cannot tell them apart without ALPN, and refuses with HTTP_1_1_REQUIRED). So an HTTP/2-only endpoint is
                // built next to the public one, and the public one hands it the connections that open with the HTTP/2
                // preface: every byte of both protocols is still Kestrel's. It listens on the same loopback address, on a
                // port of its own that nothing announces, and serves only what the public one hands it: a connection made to
                // it directly is closed unanswered, so the connection limit and count stay the public port's.
                kestrel.Listen(options.Address, 0, h2c =>
                {
                    _http2Listener = h2c;
                    h2c.Protocols = HttpProtocols.Http2;
                    h2c.Use(next =>
                    {
                        _http2PriorKnowledge = next;
                        return connection =>
                        {
                            connection.Abort();
                            return Task.CompletedTask;
                        };
                    });
                });
            }
        });
        return builder.Build();
    }

    /// <summary>
    /// A plain-HTTP connection goes to Kestrel's HTTP/2 pipeline when it opens with the HTTP/2 connection preface (prior
    /// knowledge, RFC 9113 §3.3), else to its HTTP/1.1 one. Only the first bytes are looked at, and left for Kestrel to read;
    /// a connection that sends nothing within the keep-alive timeout is closed, as Kestrel closes an idle one.
    /// </summary>
    private async Task DispatchCleartextAsync(ConnectionContext connection, ConnectionDelegate http1)
    {
        bool http2;
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            idle.CancelAfter(_options.KeepAliveTimeout);
            try
            {
                http2 = await OpensWithHttp2PrefaceAsync(connection.Transport.Input, idle.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
                connection.Abort();
                return;
            }
        }

        await (http2 && _http2PriorKnowledge is { } h2c ? h2c(connection) : http1(connection)).ConfigureAwait(false);
    }

    private static async Task<bool> OpensWithHttp2PrefaceAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            int length = (int)Math.Min(buffer.Length, Http2Preface.Length);
            bool prefix = IsPrefacePrefix(buffer.Slice(0, length));
            if (!prefix || length == Http2Preface.Length || read.IsCompleted)
            {
                input.AdvanceTo(buffer.Start); // nothing consumed, nothing examined: Kestrel reads it all again
                return prefix && length == Http2Preface.Length;
            }

            input.AdvanceTo(buffer.Start, buffer.End); // a part of the preface so far: wait for more
        }
    }

    private static bool IsPrefacePrefix(ReadOnlySequence<byte> start)
    {
        Span<byte> bytes = stackalloc byte[Http2Preface.Length];
        start.CopyTo(bytes);
        return bytes[..(int)start.Length].SequenceEqual(Http2Preface.AsSpan(0, (int)start.Length));
    }

    /// <summary>Every request outside the admin API: handed to the emulator as received, its answer written back.</summary>
    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        string target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var lines = new List<KeyValuePair<string, string>>(request.Headers.Count + 1);
        foreach (var (name, values) in request.Headers)
        {
            foreach (string? value in values)
            {
                lines.Add(new(name, value ?? string.Empty));
            }
        }

        bool hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        using var body = new PooledRequestBody(_bodyPool, _bodySlots, request.Body, request.ContentLength, _options.MaxRequestBodyBytes, _options.RequestBodyTimeout);
        var received = new ReceivedRequest(request.Method, target.Length == 0 ? "/" : target, lines, request.ContentLength, hasBody ? body.ReadAsync : null);

        HttpResponseMessage? answer;
        try
        {
            answer = await _emulator.AnswerAsync(received, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            // Kestrel's answer to a body it refused (over the size limit, malformed chunks): its status, a JSON message.
            await WriteProtocolErrorAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The body did not arrive within RequestBodyTimeout: the connection is closed, without an answer.
            context.Abort();
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away, or the server is stopping
        }
        catch (Exception e)
        {
            await WriteProtocolErrorAsync(context, StatusCodes.Status500InternalServerError, "The emulator failed: " + e.GetType().Name).ConfigureAwait(false);
            return;
        }

        if (answer is null)
        {
            Drop(context); // an injected dropped connection: no answer at all
            return;
        }

        using (answer)
        {
            await WriteAsync(context, answer).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(HttpContext context, HttpResponseMessage answer)
    {
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var header in answer.Headers.NonValidated.Concat(answer.Content.Headers.NonValidated))
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[header.Key] = string.Join(", ", header.Value);
            }
        }

        byte[] body = await answer.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
        if (response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return;
        }

        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method) && body.Length > 0)
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>A protocol error's answer: its status, a JSON <c>{"message": ...}</c>, no <c>x-amzn-ErrorType</c>; the connection closes.</summary>
    private static async Task WriteProtocolErrorAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        byte[] body = Encoding.UTF8.GetBytes("{\"message\":" + System.Text.Json.JsonSerializer.Serialize(message, EmulatorAdminJson.Default.String) + "}");
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        context.Response.Headers.Connection = "close";
        context.Response.Headers.Remove(ErrorTypeHeader);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops the connection without an answer. On HTTP/1.1 the TCP connection is reset (linger 0), as a crashed server's
    /// would be; on HTTP/2 the stream is reset (the connection carries other requests).
    /// </summary>
    private static void Drop(HttpContext context)
    {
        if (!HttpProtocol.IsHttp2(context.Request.Protocol) && context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closing: the abort below ends it either way.
            }
        }

        context.Abort();
    }

    /// <summary>
    /// A request body read into a pooled array (returned on dispose), within <see cref="LexPolicyEmulatorServerOptions.RequestBodyTimeout"/>
    /// once one of the server's body slots is free (the slot is held until dispose, as the array is). Kestrel enforces the size
    /// limit: a declared length over it, or a chunked body growing past it, throws its 413.
    /// </summary>
    private sealed class PooledRequestBody(ArrayPool<byte> pool, SemaphoreSlim slots, Stream stream, long? declared, int maxBytes, TimeSpan timeout) : IDisposable
    {
        private byte[]? _array;
        private int _holdsSlot;

        public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _holdsSlot, 1);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            if (declared is { } length)
            {
                // Exactly the declared bytes (Kestrel ends a Content-Length body there); a length over the limit throws on the
                // first read, before anything of that size is allocated.
                _array = pool.Rent((int)Math.Clamp(length, 1, Math.Max(maxBytes, 1)));
                int read = 0;
                do
                {
                    int n = await stream.ReadAsync(_array.AsMemory(read, (int)Math.Min(Math.Max(length - read, 1), _array.Length - read)), deadline.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }
                while (read < length);

                return _array.AsMemory(0, read);
            }

            _array = pool.Rent(4096);
            int total = 0, last;
            while ((last = await stream.ReadAsync(_array.AsMemory(total), deadline.Token).ConfigureAwait(false)) > 0)
            {
                total += last;
                if (total == _array.Length)
                {
                    byte[] larger = pool.Rent(_array.Length * 2);
                    _array.AsSpan(0, total).CopyTo(larger);
                    pool.Return(_array);
                    _array = larger;
                }
            }

            return _array.AsMemory(0, total);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } array)
            {
                pool.Return(array);
            }

            if (Interlocked.Exchange(ref _holdsSlot, 0) == 1)
            {
                slots.Release();
            }
        }
    }

    /// <summary>The host's lifetime belongs to whoever started the server: no console lifetime, no signal handlers of its own.</summary>
    private sealed class HostedByCaller : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
