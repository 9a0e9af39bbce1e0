using LexV2.ResourcePolicy.Errors;

namespace LexV2.ResourcePolicy.Resilience;

/// <summary>Recognises an answer that rejects a request because the signing clock is off, and computes the offset from its <c>Date</c> header.</summary>
internal static class ClockSkewDetector
{
    /// <summary>AWS allows 5 minutes of skew; beyond 4 a <c>SignatureDoesNotMatch</c> is taken as skew.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(4);

    public static bool TryGetOffset(in ErrorResponse error, HttpResponseMessage response, DateTimeOffset localNow, TimeSpan currentOffset, out TimeSpan offset)
    {
        offset = default;
        if (response.Headers.Date is not { } serverNow)
        {
            return false;
        }

        TimeSpan measured = serverNow - localNow;
        if (measured.Duration() > Signing.SigningClock.MaxPlausibleSkew)
        {
            return false; // a broken or hostile Date header: correcting to it would make every later signature wrong
        }

        bool skewCode = error.Code switch
        {
            "RequestTimeTooSkewed" or "RequestExpired" or "RequestInTheFuture" => true,
            "InvalidSignatureException" => error.Message is { } m &&
                (m.Contains("expired", StringComparison.OrdinalIgnoreCase) || m.Contains("not yet current", StringComparison.OrdinalIgnoreCase)),
            "SignatureDoesNotMatch" or "AuthFailure" => (measured - currentOffset).Duration() > Tolerance,
            _ => false,
        };

        if (!skewCode)
        {
            return false;
        }

        offset = measured;
        return true;
    }
}
