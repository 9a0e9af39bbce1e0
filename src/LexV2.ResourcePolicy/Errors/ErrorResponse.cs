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
internal readonly partial record struct ErrorResponse(HttpStatusCode Status, string? Code, string? Message, string? RequestId, TimeSpan? RetryAfter, string? Excerpt, bool BodyIsJson)
{
    /// <summary>The most of an error body that is ever read.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>For a redirect, the host (and port) its <c>Location</c> points to; otherwise <see langword="null"/>.</summary>
    public string? RedirectTo { get; init; }

    /// <summary>
    /// Reads an error answer. The code is taken as the AWS restJson1 clients take it: the <c>x-amzn-ErrorType</c> header, then the
    /// body's <c>code</c>, then its <c>__type</c>. Every text kept (code, message, request id, excerpt, redirect target) has the
    /// <paramref name="secrets"/> of the attempt redacted and control, formatting and line-separator characters removed, so a
    /// server or proxy that echoes request headers cannot put the signature, the session token or the secret key into an
    /// exception or a log.
    /// </summary>
    public static ErrorResponse Parse(HttpResponseMessage response, ReadOnlySpan<byte> body, DateTimeOffset now, Signing.SigningRecord? secrets = null)
    {
        var redactor = new Redactor(secrets);
        string? bodyType = null, bodyCode = null, bodyMessage = null;
        bool isJson = LooksLikeJsonObject(body) && TryReadTopLevel(body, ref bodyType, ref bodyCode, ref bodyMessage);

        string? headerType = Header(response.Headers, "x-amzn-ErrorType", redactor);
        string? code = NormalizeCode(headerType) ?? NormalizeCode(bodyCode) ?? NormalizeCode(bodyType);
        string? message = Header(response.Headers, "x-amzn-error-message", redactor) ?? (bodyMessage is null ? null : redactor.Safe(bodyMessage, 2048));
        string? requestId = Header(response.Headers, "x-amzn-RequestId", redactor) ?? Header(response.Headers, "x-amz-request-id", redactor);
        TimeSpan? retryAfter = ReadRetryAfter(response.Headers, response.Headers.Date ?? now);
        string? excerpt = MakeExcerpt(body, redactor);
        string? redirectTo = (int)response.StatusCode is >= 300 and < 400 ? RedirectTarget(response, redactor) : null;
        return new ErrorResponse(response.StatusCode, code is null ? null : redactor.Safe(code, 128), message, requestId, retryAfter, excerpt, isJson) { RedirectTo = redirectTo };
    }

    private static string? RedirectTarget(HttpResponseMessage response, Redactor redactor)
    {
        Uri? location = null;
        try
        {
            location = response.Headers.Location;
        }
        catch (FormatException)
        {
        }

        if (location is null)
        {
            return Header(response.Headers, "Location", redactor) is { } raw ? Sanitize(raw, 128) : "(no Location header)";
        }

        return location.IsAbsoluteUri ? redactor.Safe(location.Authority, 256) : "the same host (" + redactor.Safe(location.OriginalString, 64) + ")";
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

    private static string? Header(HttpResponseHeaders headers, string name, Redactor redactor)
    {
        if (headers.NonValidated.TryGetValues(name, out var values))
        {
            foreach (var v in values)
            {
                if (!string.IsNullOrWhiteSpace(v))
                {
                    return redactor.Safe(v, 1024);
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
                        case "message": case "Message": message ??= value; break;
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

    private static string? MakeExcerpt(ReadOnlySpan<byte> body, Redactor redactor)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        // Redact over the whole (capped) body before cutting, so no secret can straddle the cut.
        string s = redactor.Safe(Encoding.UTF8.GetString(body), 256);
        return s.Length == 0 ? null : s;
    }

    /// <summary>
    /// Makes server text safe to show: control characters and line/paragraph separators become spaces, Unicode formatting
    /// characters (bidirectional overrides, zero-width characters) and unpaired surrogates are dropped, the length is capped.
    /// </summary>
    internal static string Sanitize(string value, int max)
    {
        var sb = new StringBuilder(Math.Min(value.Length, max));
        for (int i = 0; i < value.Length && sb.Length < max; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) && sb.Length + 1 < max)
                {
                    sb.Append(c).Append(value[++i]);
                }

                continue;
            }

            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    sb.Append(' ');
                    break;
                case UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned:
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString().Trim();
    }

    /// <summary>Server text made safe to keep: unsafe characters removed, the attempt's secrets redacted, the length capped.</summary>
    internal static string SafeText(string text, Signing.SigningRecord? secrets, int max) => new Redactor(secrets).Safe(text, max);

    /// <summary>
    /// Replaces the attempt's signature, session token and secret access key, and any SigV4 signature, with a marker: as sent,
    /// in the encodings an echo may use (percent-encoded, JSON-escaped, any letter case), and any run of 20 or more characters
    /// of them left between escapes.
    /// </summary>
    private readonly struct Redactor(Signing.SigningRecord? secrets)
    {
        private const string Marker = "[REDACTED]";
        private const int MinRun = 20;

        /// <summary>
        /// Server text as it may be kept: cleaned first (<see cref="Sanitize"/>), so that redaction sees the very characters that
        /// are kept (a secret split by characters that cleaning drops, such as U+200B or the soft hyphen, is whole again by
        /// then), then redacted, then capped.
        /// </summary>
        public string Safe(string text, int max) => Sanitize(Apply(Sanitize(text, int.MaxValue)), max);

        public string Apply(string text)
        {
            if (secrets is { } s)
            {
                text = Redact(text, s.SessionToken);
                text = Redact(text, s.Signature);
                text = Redact(text, s.SecretKey);
            }

            int at = text.IndexOf("Signature=", StringComparison.OrdinalIgnoreCase);
            return at < 0 ? text : SignatureValue().Replace(text, "Signature=" + Marker);
        }

        private static string Redact(string text, string? secret)
        {
            if (secret is not { Length: >= 8 })
            {
                return text;
            }

            foreach (string form in (string[])[secret, Uri.EscapeDataString(secret), System.Net.WebUtility.UrlEncode(secret), JsonEncodedText.Encode(secret).ToString(), secret.Replace("/", "\\/", StringComparison.Ordinal)])
            {
                if (text.Contains(form, StringComparison.OrdinalIgnoreCase))
                {
                    text = text.Replace(form, Marker, StringComparison.OrdinalIgnoreCase);
                }
            }

            return secret.Length >= MinRun ? RedactRuns(text, secret) : text;
        }

        /// <summary>
        /// Removes every run of at least <see cref="MinRun"/> characters that also occurs in the secret (case-insensitively). Such a
        /// run always contains one of the secret's windows of <c>MinRun / 2</c> characters at a multiple of that length, so only
        /// those windows are searched for, and each hit is widened to the whole run.
        /// </summary>
        private static string RedactRuns(string text, string secret)
        {
            const int Window = MinRun / 2;
            var cut = new List<(int Start, int End)>();
            for (int w = 0; w + Window <= secret.Length; w += Window)
            {
                ReadOnlySpan<char> window = secret.AsSpan(w, Window);
                for (int from = 0; from < text.Length;)
                {
                    int hit = text.AsSpan(from).IndexOf(window, StringComparison.OrdinalIgnoreCase);
                    if (hit < 0)
                    {
                        break;
                    }

                    int t = from + hit;
                    int left = 0;
                    while (t - left > 0 && w - left > 0 && Same(text[t - left - 1], secret[w - left - 1]))
                    {
                        left++;
                    }

                    int right = Window;
                    while (t + right < text.Length && w + right < secret.Length && Same(text[t + right], secret[w + right]))
                    {
                        right++;
                    }

                    if (left + right >= MinRun)
                    {
                        cut.Add((t - left, t + right));
                    }

                    from = t + right;
                }
            }

            if (cut.Count == 0)
            {
                return text;
            }

            cut.Sort();
            var result = new StringBuilder(text.Length);
            int copied = 0;
            foreach (var (start, end) in cut)
            {
                if (end <= copied)
                {
                    continue;
                }

                if (start >= copied)
                {
                    result.Append(text, copied, start - copied).Append(Marker);
                }

                copied = end;
            }

            return result.Append(text, copied, text.Length - copied).ToString();

            static bool Same(char a, char b) => char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("Signature=[0-9A-Fa-f]+", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex SignatureValue();
}
