using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LexV2.ResourcePolicy.Tests.Wire;

/// <summary>One request exactly as it arrived on the socket: the request line, each header line in order, the body.</summary>
internal sealed record RawRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> HeaderLines, byte[] Body, int Connection)
{
    /// <summary>The values of every header line with this name, in the order received (one entry per line).</summary>
    public IReadOnlyList<string> Lines(string name) =>
        [.. HeaderLines.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

    public string? Header(string name) => Lines(name) is { Count: > 0 } l ? string.Join(",", l) : null;

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>What the server does with one request.</summary>
internal sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>>? Headers = null, string Body = "")
{
    /// <summary>Close the connection without answering (a lost answer).</summary>
    public bool Drop { get; init; }

    /// <summary>Exactly these bytes as the answer (status line, headers, body), for malformed answers.</summary>
    public byte[]? Raw { get; init; }

    public static RawResponse Json(int status, string body, params (string Name, string Value)[] headers) =>
        new(status, [new("Content-Type", "application/json"), .. headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))], body);
}

/// <summary>
/// A minimal HTTP/1.1 server on a loopback socket for wire-level tests: it records every request as received (header lines
/// unmerged, target unparsed) and answers with what the test's responder says. Keep-alive; Content-Length and chunked bodies.
/// It binds a free port, and stops itself after <c>lifetime</c> even if a test forgets to dispose it.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<RawRequest, int, RawResponse> _respond;
    private readonly CancellationTokenSource _stop;
    private readonly List<RawRequest> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Task _accept;
    private int _connectionCount;

    private LoopbackServer(IPAddress address, Func<RawRequest, int, RawResponse> respond, TimeSpan lifetime)
    {
        _respond = respond;
        _stop = new CancellationTokenSource(lifetime);
        _listener = new TcpListener(address, 0);
        _listener.Start();
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Endpoint = new Uri(address.AddressFamily == AddressFamily.InterNetworkV6 ? $"http://[{address}]:{port}/" : $"http://{address}:{port}/");
        _accept = AcceptLoopAsync();
    }

    public Uri Endpoint { get; }

    public int Connections => Volatile.Read(ref _connectionCount);

    public IReadOnlyList<RawRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <param name="respond">Given the request and its 0-based index among all requests, the answer.</param>
    /// <param name="address">127.0.0.1 unless given (e.g. <see cref="IPAddress.IPv6Loopback"/>).</param>
    /// <param name="lifetime">When the server stops by itself; 60 s by default.</param>
    public static LoopbackServer Start(Func<RawRequest, int, RawResponse> respond, IPAddress? address = null, TimeSpan? lifetime = null) =>
        new(address ?? IPAddress.Loopback, respond, lifetime ?? TimeSpan.FromSeconds(60));

    public static bool IPv6LoopbackAvailable()
    {
        try
        {
            using var probe = new TcpListener(IPAddress.IPv6Loopback, 0);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
            Task[] running;
            lock (_connections)
            {
                running = [.. _connections];
            }

            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        using var registration = _stop.Token.Register(_listener.Stop);
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            int id = Interlocked.Increment(ref _connectionCount);
            lock (_connections)
            {
                _connections.Add(Task.Run(() => ServeAsync(socket, id)));
            }
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new ByteReader(stream, _stop.Token);
        try
        {
            while (true)
            {
                string? requestLine = await reader.ReadLineAsync();
                if (string.IsNullOrEmpty(requestLine))
                {
                    return;
                }

                string[] parts = requestLine.Split(' ');
                var headers = new List<KeyValuePair<string, string>>();
                for (string? line = await reader.ReadLineAsync(); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync())
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
                }

                byte[] body = await ReadBodyAsync(reader, headers);
                var request = new RawRequest(parts[0], parts[1], headers, body, connection);
                int index;
                lock (_requests)
                {
                    index = _requests.Count;
                    _requests.Add(request);
                }

                RawResponse response = _respond(request, index);
                if (response.Drop)
                {
                    socket.Close(0); // RST: the answer is lost
                    return;
                }

                await stream.WriteAsync(Serialize(response), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task<byte[]> ReadBodyAsync(ByteReader reader, List<KeyValuePair<string, string>> headers)
    {
        string? length = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        if (length is not null)
        {
            return await reader.ReadExactlyAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            using var body = new MemoryStream();
            while (true)
            {
                string size = (await reader.ReadLineAsync())!.Split(';')[0];
                int n = Convert.ToInt32(size, 16);
                if (n == 0)
                {
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
                    {
                    }

                    return body.ToArray();
                }

                body.Write(await reader.ReadExactlyAsync(n));
                await reader.ReadLineAsync();
            }
        }

        return [];
    }

    private static byte[] Serialize(RawResponse response)
    {
        if (response.Raw is { } raw)
        {
            return raw;
        }

        byte[] body = Encoding.UTF8.GetBytes(response.Body);
        var head = new StringBuilder();
        head.Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n");
        bool hasDate = false;
        foreach (var (name, value) in response.Headers ?? [])
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
            hasDate |= name.Equals("Date", StringComparison.OrdinalIgnoreCase);
        }

        if (!hasDate)
        {
            head.Append("Date: ").Append(DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        }

        if (response.Status is not (204 or 304) && response.Status >= 200)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        204 => "No Content",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        503 => "Service Unavailable",
        _ => "Status",
    };

    /// <summary>Reads CRLF-terminated lines (as Latin-1, byte for byte) and exact byte counts from a stream.</summary>
    private sealed class ByteReader(Stream stream, CancellationToken cancellationToken)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync()
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync())
                {
                    return line.Count == 0 ? null : Encoding.Latin1.GetString([.. line]);
                }

                byte b = _buffer[_start++];
                if (b == '\n')
                {
                    if (line.Count > 0 && line[^1] == '\r')
                    {
                        line.RemoveAt(line.Count - 1);
                    }

                    return Encoding.Latin1.GetString([.. line]);
                }

                line.Add(b);
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count)
        {
            byte[] result = new byte[count];
            int copied = 0;
            while (copied < count)
            {
                if (_start == _end && !await FillAsync())
                {
                    throw new IOException("The connection closed inside a body.");
                }

                int n = Math.Min(count - copied, _end - _start);
                Array.Copy(_buffer, _start, result, copied, n);
                _start += n;
                copied += n;
            }

            return result;
        }

        private async Task<bool> FillAsync()
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken);
            return _end > 0;
        }
    }
}
