using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// A deliberately small HTTP/1.1 client on a raw socket: it writes exactly the bytes a test gives it (header lines, repeated
/// lines, runs of spaces, malformed requests) and reads answers byte for byte, so nothing re-formats what goes over the wire.
/// </summary>
internal sealed class RawHttp : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttp(Socket socket) => _socket = socket;

    public static async Task<RawHttp> ConnectAsync(Uri endpoint)
    {
        var address = IPAddress.Parse(endpoint.Host.Trim('[', ']'));
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port));
        return new RawHttp(socket);
    }

    /// <summary>One request on a new connection; <see langword="null"/> when the server closed or reset it without an answer.</summary>
    public static async Task<Answer?> SendAsync(Uri endpoint, string head, byte[]? body = null)
    {
        await using var connection = await ConnectAsync(endpoint);
        await connection.WriteAsync(head, body);
        return await connection.ReadAnswerAsync();
    }

    public Task WriteAsync(string head, byte[]? body = null) => WriteAsync([.. Encoding.UTF8.GetBytes(head), .. body ?? []]);

    public async Task WriteAsync(byte[] bytes)
    {
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None);
        }
        catch (SocketException)
        {
            // The server may close early (413, a dropped connection); the answer, if any, is read next.
        }
    }

    /// <summary>Reads one answer; <see langword="null"/> when the connection ends (or is reset) before a whole one arrived.</summary>
    public async Task<Answer?> ReadAnswerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                int headEnd = IndexOf("\r\n\r\n"u8);
                if (headEnd >= 0)
                {
                    string head = Encoding.Latin1.GetString(_buffer, _start, headEnd - _start);
                    string[] lines = head.Split("\r\n");
                    int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                    var headers = lines.Skip(1).Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':', StringComparison.Ordinal)], l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
                    _start = headEnd + 4;
                    if (status is 100)
                    {
                        continue;
                    }

                    string? length = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
                    int n = length is null ? 0 : int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
                    while (_end - _start < n)
                    {
                        if (!await FillAsync(cts.Token))
                        {
                            return null;
                        }
                    }

                    byte[] body = _buffer.AsSpan(_start, n).ToArray();
                    _start += n;
                    return new Answer(status, headers, body, lines[0]);
                }

                if (!await FillAsync(cts.Token))
                {
                    return null;
                }
            }
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Reads until <paramref name="text"/> has arrived and returns everything up to and including it (consumed).</summary>
    public async Task<string?> ReadUntilAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        byte[] pattern = Encoding.ASCII.GetBytes(text);
        try
        {
            int at;
            while ((at = IndexOf(pattern)) < 0)
            {
                if (!await FillAsync(cts.Token))
                {
                    return null;
                }
            }

            string read = Encoding.Latin1.GetString(_buffer, _start, at + pattern.Length - _start);
            _start = at + pattern.Length;
            return read;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Whether the server has closed the connection (EOF or reset) within the timeout, reading and discarding anything else.</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                _start = _end = 0;
                if (!await FillAsync(cts.Token))
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private int IndexOf(ReadOnlySpan<byte> pattern)
    {
        int i = _buffer.AsSpan(_start, _end - _start).IndexOf(pattern);
        return i < 0 ? -1 : _start + i;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += n;
        return n > 0;
    }

    /// <summary>An answer as received.</summary>
    public sealed record Answer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string StatusLine)
    {
        public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

        public string Text => Encoding.UTF8.GetString(Body);
    }
}
