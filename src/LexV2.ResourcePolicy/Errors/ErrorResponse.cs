using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LexV2.ResourcePolicy.Errors;

/// <summary>
/// What an error answer says: code, message, request id, Retry-After. Parsed defensively from a capped body: a body
/// that is not JSON, is truncated or has unexpected shapes yields what could be read and never throws.
/// </summary>
internal readonly record struct ErrorResponse(HttpStatusCode Status, string? Code, string? Message, string? RequestId, TimeSpan? RetryAfter, string? Excerpt, bool BodyIsJson)
{
    /// <summary>The most of an error body that is ever read.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static ErrorResponse Parse(HttpResponseMessage response, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        string? bodyType = null, bodyCode = null, bodyMessage = null;
        bool isJson = LooksLikeJsonObject(body) && TryReadTopLevel(body, ref bodyType, ref bodyCode, ref bodyMessage);

        string? headerType = Header(response.Headers, "x-amzn-ErrorType");
        string? code = NormalizeCode(bodyType) ?? NormalizeCode(headerType) ?? NormalizeCode(bodyCode);
        string? message = Header(response.Headers, "x-amzn-error-message") ?? bodyMessage;
        string? requestId = Header(response.Headers, "x-amzn-RequestId") ?? Header(response.Headers, "x-amz-request-id");
        TimeSpan? retryAfter = ReadRetryAfter(response.Headers, response.Headers.Date ?? now);
        string? excerpt = MakeExcerpt(body);
        return new ErrorResponse(response.StatusCode, code, message, requestId, retryAfter, excerpt, isJson);
    }

    /// <summary>Strips a <c>namespace#</c> prefix and a <c>:suffix</c>, as AWS rest-json clients do.</summary>
    internal static string? NormalizeCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        ReadOnlySpan<char> s = raw.AsSpan().Trim();
        int colon = s.IndexOf(':');
        if (colon >= 0)
        {
            s = s[..colon];
        }

        int hash = s.LastIndexOf('#');
        if (hash >= 0)
        {
            s = s[(hash + 1)..];
        }

        s = s.Trim();
        return s.IsEmpty ? null : Sanitize(s.ToString(), 128);
    }

    internal static TimeSpan? ReadRetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        RetryConditionHeaderValue? ra;
        try
        {
            ra = headers.RetryAfter;
        }
        catch (FormatException)
        {
            ra = null;
        }

        if (ra?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (ra?.Date is { } date)
        {
            var d = date - now;
            return d < TimeSpan.Zero ? TimeSpan.Zero : d;
        }

        // Some front ends send fractional seconds, which the typed header rejects.
        if (headers.TryGetValues("Retry-After", out var raw) &&
            double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) &&
            secs >= 0 && secs < 86_400)
        {
            return TimeSpan.FromSeconds(secs);
        }

        return null;
    }

    private static string? Header(HttpResponseHeaders headers, string name)
    {
        if (headers.TryGetValues(name, out var values))
        {
            foreach (var v in values)
            {
                if (!string.IsNullOrWhiteSpace(v))
                {
                    return Sanitize(v, 1024);
                }
            }
        }

        return null;
    }

    private static bool LooksLikeJsonObject(ReadOnlySpan<byte> body)
    {
        foreach (byte b in body)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b == (byte)'{';
        }

        return false;
    }

    private static bool TryReadTopLevel(ReadOnlySpan<byte> body, ref string? type, ref string? code, ref string? message)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    return true;
                }

                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                string name = reader.GetString() ?? string.Empty;
                if (!reader.Read())
                {
                    return false;
                }

                if (reader.TokenType == JsonTokenType.String)
                {
                    string value = reader.GetString() ?? string.Empty;
                    switch (name)
                    {
                        case "__type": type ??= value; break;
                        case "code": case "Code": code ??= value; break;
                        case "message": case "Message": message ??= Sanitize(value, 2048); break;
                    }
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }

            return false;
        }
        catch (JsonException)
        {
            // Truncated or malformed: keep whatever was read before the fault.
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string? MakeExcerpt(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var slice = body.Length > 1024 ? body[..1024] : body;
        string text = Encoding.UTF8.GetString(slice);
        string s = Sanitize(text, 256);
        return s.Length == 0 ? null : s;
    }

    /// <summary>Removes control characters (no CR/LF injection into logs) and caps the length.</summary>
    internal static string Sanitize(string value, int max)
    {
        var sb = new StringBuilder(Math.Min(value.Length, max));
        foreach (char c in value)
        {
            if (sb.Length >= max)
            {
                break;
            }

            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        return sb.ToString().Trim();
    }
}
