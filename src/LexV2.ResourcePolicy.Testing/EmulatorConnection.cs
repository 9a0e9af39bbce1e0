using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// One HTTP/1.1 connection of a <see cref="LexPolicyEmulatorServer"/>: reads requests one after another (keep-alive and
/// pipelining, answered in order), keeps the request target and header lines exactly as received, reads Content-Length and
/// chunked bodies into pooled buffers within the limits, and writes the emulator's answers. It never throws: whatever goes
/// wrong ends in an HTTP error answer, a closed connection, or both.
/// </summary>
internal sealed class EmulatorConnection : IDisposable
{
    private static readonly byte[] Continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();
    private readonly LexPolicyEmulatorServer _server;
    private readonly LexPolicyEmulatorServer.ServerLimits _limits;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _cts;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;
    private volatile bool _idle;
    private volatile bool _answered;
    private long _idleSince;

    public EmulatorConnection(LexPolicyEmulatorServer server, Socket socket, CancellationToken stopping)
    {
        _server = server;
        _limits = server.Limits;
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _buffer = new byte[_limits.MaxHeadBytes + 4096];
    }

    /// <summary>Whether the connection waits for the first byte of its next request (may be closed to make room).</summary>
    public bool IsIdle => _idle;

    /// <summary>
    /// Whether the connection may be closed to make room for a new one: a keep-alive connection that has been answered and now
    /// waits for its next request. A fresh connection that has not sent yet is not: clients retry a closed idle connection, but
    /// not one they have just opened.
    /// </summary>
    public bool CanMakeRoom => _idle && _answered;

    /// <summary>When the connection last became idle (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long IdleSince => Interlocked.Read(ref _idleSince);

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start(Action closed) => Completion = Task.Run(async () =>
    {
        try
        {
            await RunAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A timeout, an abort, the client went away, or it sent a body that cannot be read: the connection just ends.
        }
        finally
        {
            Dispose();
            closed();
        }
    });

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
        _cts.Dispose();
    }

    /// <summary>Ends the connection now (server stopping, or room needed for another).</summary>
    public void Abort()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }

    private CancellationToken Token => _cts.Token;

    private async Task RunAsync()
    {
        for (bool first = true; ; first = false)
        {
            _answered = !first;
            Interlocked.Exchange(ref _idleSince, System.Diagnostics.Stopwatch.GetTimestamp());
            _idle = _start == _end;
            _cts.CancelAfter(_idle ? _limits.KeepAlive : _limits.HeadersTimeout);
            int headEnd;
            while ((headEnd = FindHeadEnd()) < 0)
            {
                if (_end - _start >= _limits.MaxHeadBytes)
                {
                    await FailHeadTooLargeAsync().ConfigureAwait(false);
                    return;
                }

                if (!await FillAsync().ConfigureAwait(false))
                {
                    return; // the client closed the connection (mid-request or between requests)
                }

                if (_idle)
                {
                    _idle = false;
                    _cts.CancelAfter(_limits.HeadersTimeout);
                }
            }

            _idle = false;
            if (headEnd + 4 - _start > _limits.MaxHeadBytes)
            {
                await FailHeadTooLargeAsync().ConfigureAwait(false);
                return;
            }

            var request = RequestHead.Parse(_buffer.AsSpan(_start, headEnd - _start), out var error);
            _start = headEnd + 4;
            if (request is null)
            {
                await FailAsync(error.Status, error.Message).ConfigureAwait(false);
                return;
            }

            if (request.Check(_limits.MaxBodyBytes) is { } invalid)
            {
                await FailAsync(invalid.Status, invalid.Message).ConfigureAwait(false);
                return;
            }

            if (!await ServeAsync(request).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Reads the body, answers; whether the connection stays open for another request.</summary>
    private async Task<bool> ServeAsync(RequestHead request)
    {
        var wire = new WireRequest { Method = request.Method, Target = request.Target, Lines = request.Lines };
        bool hasBody = request.Chunked || request.ContentLength > 0;
        EmulatorError? rejected = hasBody ? _server.Emulator.CheckAuthenticationHeaders(wire) : null;
        bool close = request.Close;
        using var body = new PooledBody(_limits.BodyPool);
        _cts.CancelAfter(_limits.BodyTimeout);
        if (rejected is not null && request.ExpectContinue)
        {
            close = true; // the client was never told to send its body: answer and close instead of guessing whether it will
            wire = new WireRequest { Method = request.Method, Target = request.Target, Lines = request.Lines, BodyDiscarded = true, BodyLength = request.ContentLength };
        }
        else if (hasBody)
        {
            if (rejected is null && request.ExpectContinue)
            {
                await _stream.WriteAsync(Continue, Token).ConfigureAwait(false);
            }

            // A request that failed authentication has its body read and dropped, never kept: it cannot hold memory.
            long length;
            try
            {
                length = await ReadBodyAsync(request, rejected is null ? body : null).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                await FailAsync(HttpStatusCode.BadRequest, "Malformed chunked body: " + e.Message).ConfigureAwait(false);
                return false;
            }

            if (length < 0)
            {
                await FailAsync(HttpStatusCode.RequestEntityTooLarge, "The request body is larger than the limit of " + _limits.MaxBodyBytes + " bytes.").ConfigureAwait(false);
                return false;
            }

            wire = new WireRequest
            {
                Method = request.Method, Target = request.Target, Lines = request.Lines,
                Body = body.Memory, BodyLength = length, BodyDiscarded = rejected is not null,
            };
        }

        _cts.CancelAfter(Timeout.InfiniteTimeSpan); // the emulator's own latency fault may take its time
        HttpResponseMessage? response;
        try
        {
            response = await _server.Emulator.AnswerAsync(wire, Token, rejected).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            response = ProtocolError(HttpStatusCode.InternalServerError, "The emulator failed: " + e.GetType().Name);
            close = true;
        }

        if (response is null)
        {
            Reset(); // an injected dropped connection: no answer at all
            return false;
        }

        using (response)
        {
            _cts.CancelAfter(_limits.BodyTimeout);
            await WriteAsync(response, request.Method == "HEAD", close).ConfigureAwait(false);
        }

        if (close)
        {
            await CloseGracefullyAsync().ConfigureAwait(false);
        }

        return !close;
    }

    /// <summary>Reads a Content-Length or chunked body into <paramref name="sink"/> (or discards it when null); -1 when over the limit.</summary>
    private async Task<long> ReadBodyAsync(RequestHead request, PooledBody? sink)
    {
        if (!request.Chunked)
        {
            await CopyAsync(request.ContentLength, sink).ConfigureAwait(false);
            return request.ContentLength;
        }

        long total = 0;
        while (true)
        {
            string line = await ReadLineAsync(4096).ConfigureAwait(false);
            int semicolon = line.IndexOf(';', StringComparison.Ordinal);
            string size = (semicolon >= 0 ? line[..semicolon] : line).Trim(' ', '\t');
            if (size.Length > 1)
            {
                size = size.TrimStart('0') is { Length: > 0 } digits ? digits : "0"; // 1*HEXDIG: leading zeros are allowed
            }

            if (size.Length is 0 or > 8 || !int.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int chunk) || chunk < 0)
            {
                throw new InvalidDataException("Malformed chunk size.");
            }

            if (chunk == 0)
            {
                int trailers = 0;
                while ((line = await ReadLineAsync(_limits.MaxHeadBytes).ConfigureAwait(false)).Length > 0)
                {
                    trailers += line.Length;
                    if (trailers > _limits.MaxHeadBytes)
                    {
                        throw new InvalidDataException("Trailers too large.");
                    }
                }

                return total;
            }

            total += chunk;
            if (total > _limits.MaxBodyBytes)
            {
                return -1;
            }

            await CopyAsync(chunk, sink).ConfigureAwait(false);
            if ((await ReadLineAsync(0).ConfigureAwait(false)).Length != 0)
            {
                throw new InvalidDataException("A chunk is not followed by CRLF.");
            }
        }
    }

    /// <summary>Moves <paramref name="count"/> body bytes (buffered first, then off the socket) into the sink, or drops them.</summary>
    private async Task CopyAsync(long count, PooledBody? sink)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync().ConfigureAwait(false))
            {
                throw new IOException("The client closed the connection in the middle of a body.");
            }

            int n = (int)Math.Min(count, _end - _start);
            sink?.Append(_buffer.AsSpan(_start, n));
            _start += n;
            count -= n;
        }
    }

    /// <summary>Reads one CRLF-terminated line (chunk sizes, trailers) of at most <paramref name="max"/> bytes.</summary>
    private async Task<string> ReadLineAsync(int max)
    {
        while (true)
        {
            int crlf = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (crlf >= 0)
            {
                if (crlf > max)
                {
                    throw new InvalidDataException("Line too long.");
                }

                string line = Encoding.Latin1.GetString(_buffer, _start, crlf);
                _start += crlf + 2;
                return line;
            }

            if (_end - _start > max + 2 || !await FillAsync().ConfigureAwait(false))
            {
                throw new InvalidDataException("Line too long or connection closed.");
            }
        }
    }

    /// <summary>The end of the request head (index of its CRLFCRLF) in the buffer, skipping empty lines before a request line; -1 when not all there.</summary>
    private int FindHeadEnd()
    {
        while (_end - _start >= 2 && _buffer[_start] == '\r' && _buffer[_start + 1] == '\n')
        {
            _start += 2;
        }

        int i = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return i < 0 ? -1 : _start + i;
    }

    private async Task<bool> FillAsync()
    {
        if (_end == _buffer.Length)
        {
            if (_start == 0)
            {
                return false; // full: the callers' limits are below the buffer size, so this is not reached for a valid request
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int n = await _stream.ReadAsync(_buffer.AsMemory(_end), Token).ConfigureAwait(false);
        _end += n;
        return n > 0;
    }

    private async Task WriteAsync(HttpResponseMessage response, bool headRequest, bool close)
    {
        int status = (int)response.StatusCode;
        byte[] body = await response.Content.ReadAsByteArrayAsync(Token).ConfigureAwait(false);
        var head = new StringBuilder(256);
        head.Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(response.ReasonPhrase ?? "Unknown").Append("\r\n");
        foreach (var header in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            if (header.Key is not ("Content-Length" or "Connection" or "Transfer-Encoding"))
            {
                head.Append(header.Key).Append(": ").AppendJoin(", ", header.Value).Append("\r\n");
            }
        }

        bool bodiless = status is 204 or 304 or < 200;
        if (!bodiless)
        {
            head.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        if (close)
        {
            head.Append("Connection: close\r\n");
        }

        head.Append("\r\n");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), Token).ConfigureAwait(false);
        if (!bodiless && !headRequest && body.Length > 0)
        {
            await _stream.WriteAsync(body, Token).ConfigureAwait(false);
        }
    }

    private Task FailHeadTooLargeAsync() =>
        FailAsync((HttpStatusCode)431, "The request line and headers are larger than the limit of " + _limits.MaxHeadBytes + " bytes.");

    /// <summary>Answers a protocol error (malformed or oversized request) and closes the connection.</summary>
    private async Task FailAsync(HttpStatusCode status, string message)
    {
        using var response = ProtocolError(status, message);
        _cts.CancelAfter(_limits.BodyTimeout);
        await WriteAsync(response, headRequest: false, close: true).ConfigureAwait(false);
        await CloseGracefullyAsync().ConfigureAwait(false);
    }

    private static HttpResponseMessage ProtocolError(HttpStatusCode status, string message)
    {
        var response = LexPolicyEmulator.ErrorResponse(new EmulatorError(status, string.Empty, message), html: false);
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", Guid.NewGuid().ToString());
        response.Headers.Date = DateTimeOffset.UtcNow;
        return response;
    }

    /// <summary>
    /// Ends the connection after a final answer so the client can read it: stop sending, then read and drop whatever the
    /// client still sends (an unread body) for a short while, so closing does not reset the connection under the answer.
    /// </summary>
    private async Task CloseGracefullyAsync()
    {
        _socket.Shutdown(SocketShutdown.Send);
        _cts.CancelAfter(TimeSpan.FromSeconds(2));
        long drained = 0;
        while (drained < 2L * (_limits.MaxBodyBytes + _limits.MaxHeadBytes))
        {
            int n = await _stream.ReadAsync(_buffer, Token).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            drained += n;
        }
    }

    /// <summary>Drops the connection with a TCP reset: no answer, no orderly close.</summary>
    private void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }
}
