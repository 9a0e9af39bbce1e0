using System.Net;
using System.Text;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// The emulator's request log, bounded by entry count and by bytes: bodies are cut to a few KiB and not kept at all for
/// requests that failed authentication, so a flood of large or unauthenticated requests cannot grow it without end.
/// </summary>
internal sealed class RequestLog(int maxEntries, long maxBytes, int maxBodyBytes)
{
    /// <summary>What an entry costs besides its text: the record, its dictionary and the queue slot (an estimate).</summary>
    private const int EntryOverhead = 256;

    private readonly object _gate = new();
    private readonly Queue<(RecordedRequest Request, long Bytes)> _entries = new();
    private long _bytes;

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries.Select(e => e.Request)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _bytes = 0;
        }
    }

    /// <summary>Records a request; its body only when <paramref name="keepBody"/> (it passed authentication), cut to the limit.</summary>
    public void Add(ReceivedRequest wire, string operation, string? arn, bool keepBody, HttpStatusCode status, string? errorCode)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in wire.Lines)
        {
            string key = name.ToLowerInvariant();
            headers[key] = headers.TryGetValue(key, out string? earlier) ? earlier + "," + value : value;
        }

        string body = keepBody ? Cut(wire.Body.Span, maxBodyBytes) : string.Empty;
        var request = new RecordedRequest(operation, wire.Method, wire.Target, arn, body, headers, status, errorCode) { BodyLength = wire.BodyLength };
        long bytes = EntryOverhead + (2L * (wire.Target.Length + body.Length + (arn?.Length ?? 0)));
        foreach (var (name, value) in headers)
        {
            bytes += 2L * (name.Length + value.Length);
        }

        lock (_gate)
        {
            _entries.Enqueue((request, bytes));
            _bytes += bytes;
            while (_entries.Count > 1 && (_entries.Count > maxEntries || _bytes > maxBytes))
            {
                _bytes -= _entries.Dequeue().Bytes;
            }
        }
    }

    /// <summary>The body as UTF-8 text, at most <paramref name="max"/> bytes of it, never splitting a character.</summary>
    private static string Cut(ReadOnlySpan<byte> body, int max)
    {
        int n = Math.Min(body.Length, max);
        while (n > 0 && n < body.Length && (body[n] & 0xC0) == 0x80)
        {
            n--;
        }

        return Encoding.UTF8.GetString(body[..n]);
    }
}
