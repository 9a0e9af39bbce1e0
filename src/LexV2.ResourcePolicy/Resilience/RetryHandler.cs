using System.Net;
using System.Runtime.ExceptionServices;
using LexV2.ResourcePolicy.Errors;
using LexV2.ResourcePolicy.Http;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace LexV2.ResourcePolicy.Resilience;

/// <summary>
/// The client's retry pipeline (Polly v8), outermost in its handler chain: an overall timeout, then retries of throttles,
/// 500/502/503/504 and transient network failures with capped, jittered exponential backoff (or the service's
/// <c>Retry-After</c>), a shared retry budget, one clock-skew correction, and a per-attempt timeout. Every attempt, the first
/// included, sends a new request message built from a snapshot of the caller's request taken once (headers, options, the body
/// buffered once), so the handlers inside it (user handlers, tracing, the signer) each see a fresh request.
/// </summary>
internal sealed class RetryHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<CallState> StateKey = new("LexV2.ResourcePolicy.Call");

    private readonly LexClientRuntime _runtime;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryHandler(LexClientRuntime runtime)
    {
        _runtime = runtime;
        _pipeline = BuildPipeline(runtime);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Every attempt, the first included, is a new message built from this snapshot of the caller's request, so nothing a
        // handler inside the chain adds to one attempt (a correlation header, the runtime's traceparent, a signature) leaks into
        // the next, and the caller's message is never sent itself.
        var snapshot = await RequestSnapshot.TakeAsync(request, cancellationToken).ConfigureAwait(false);
        var state = new CallState(this, request, snapshot);

        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            Outcome<HttpResponseMessage> outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, s) =>
                {
                    s.Attempts++;
                    s.LastError = null;
                    HttpRequestMessage attempt = s.Snapshot.NewMessage();
                    var record = new Signing.SigningRecord();
                    attempt.Options.Set(Signing.SigningRecord.Key, record);
                    HttpResponseMessage? response = null;
                    s.LastRecord = record;
                    var runtime = s.Handler._runtime;
                    long started = runtime.Time.GetTimestamp();
                    try
                    {
                        TraceSending(runtime.Logger, s, attempt);

                        response = await s.Handler.SendInnerAsync(attempt, ctx.CancellationToken).ConfigureAwait(false);
                        runtime.Limiter?.OnResponse(IsThrottle(response));
                        TraceAnswered(runtime, s, response, record, started);

                        // The answer must come from where the request was signed for (a user handler may choose the origin;
                        // a transport that follows a redirect does not).
                        if (response.RequestMessage?.RequestUri is { } answered && !SameOrigin(answered, record.SignedUri ?? s.Snapshot.Uri))
                        {
                            throw new LexPolicyException(
                                $"{s.Operation} failed: the transport followed a redirect to {answered.Authority}, which this client never accepts. Configure the primary handler with AllowAutoRedirect = false.",
                                response.StatusCode, "Redirect", null);
                        }

                        if (!response.IsSuccessStatusCode)
                        {
                            byte[] body = await ResponseBody.BufferErrorAsync(response, ctx.CancellationToken).ConfigureAwait(false);
                            s.LastError = ErrorResponse.Parse(response, body, s.Handler._runtime.Time.GetUtcNow(), record);
                        }
                        else if (s.Original is LexRequestMessage)
                        {
                            // Read the body inside the attempt, so the attempt and overall timeouts cover a stalled body
                            // and a connection reset mid-body is retried like any transient failure.
                            s.SuccessBody?.Dispose();
                            s.SuccessBody = await ResponseBody.ReadPooledAsync(response.Content, ResponseBody.MaxSuccessBytes, ctx.CancellationToken).ConfigureAwait(false);
                        }

                        return Outcome.FromResult(response);
                    }
                    catch (Exception e)
                    {
                        response?.Dispose();
                        if (e is LexPolicyException { ErrorCode: Signing.CredentialSource.ErrorCode or "SigningFailed" })
                        {
                            s.Attempts--; // nothing was written for this attempt
                        }

                        return Outcome.FromException<HttpResponseMessage>(e is HttpRequestException or IOException ? Redacted(e, record) : e);
                    }
                    finally
                    {
                        ((IDictionary<string, object?>)attempt.Options).Remove(Signing.SigningRecord.Key.Key);
                    }
                },
                context,
                state).ConfigureAwait(false);

            if (request is LexRequestMessage lex)
            {
                lex.Attempts = state.Attempts;
                lex.Error = state.LastError;
                lex.RetryBudgetExhausted = state.BudgetExhausted;
                lex.Record = state.LastRecord;
                lex.SuccessBody = outcome.Exception is null ? state.SuccessBody : null;
            }

            if (outcome.Exception is { } exception)
            {
                if (exception is TimeoutRejectedException timeout && !cancellationToken.IsCancellationRequested)
                {
                    if (state.OverallTimedOut || state.AttemptTimedOut)
                    {
                        throw TimeoutError(state, timeout);
                    }

                    // Not one of ours: a resilience handler the user added inside the chain gave up.
                    throw new LexPolicyException($"{state.Operation} was rejected by a timeout of a resilience handler added to the client's HttpClient ({state.Attempts} attempt(s)).", default, "Rejected", null, timeout) { Attempts = state.Attempts };
                }

                if (exception is LexPolicyException typed)
                {
                    typed.SetAttempts(state.Attempts);
                }

                ExceptionDispatchInfo.Throw(exception);
            }

            HttpResponseMessage result = outcome.Result!;
            if (result.IsSuccessStatusCode)
            {
                _runtime.Budget.ReleaseOnSuccess(state.Tokens);
            }

            return result;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// A transport error may quote server bytes (an invalid header line echoing the request's signature or session token): keep
    /// its kind, status and a redacted, sanitized message, and only an inner exception that carries no server text.
    /// </summary>
    private static HttpRequestException Redacted(Exception e, Signing.SigningRecord record) => e switch
    {
        HttpRequestException h => new(h.HttpRequestError, TransportText(h.Message, record), Cause(h.InnerException, record), h.StatusCode),

        // A body that broke off or would not decode.
        _ => new(HttpRequestError.ResponseEnded, TransportText(e.Message, record), Cause(e.InnerException, record)),
    };

    /// <summary>The I/O cause kept (so the failure is still seen as transient), with its text made safe the same way.</summary>
    private static Exception? Cause(Exception? inner, Signing.SigningRecord record) => inner switch
    {
        System.Net.Sockets.SocketException socket => socket,
        IOException io => new IOException(TransportText(io.Message, record), io.InnerException as System.Net.Sockets.SocketException),
        _ => null,
    };

    /// <summary>
    /// .NET's transport messages quote what the server sent when they quote anything (an invalid header line, a chunk size as a
    /// hex dump of its bytes), which may echo the request's signature or session token in forms no redaction recognises: such a
    /// message is replaced; any other is redacted and cleaned.
    /// </summary>
    private static string TransportText(string message, Signing.SigningRecord record) =>
        message.AsSpan().IndexOfAny('\'', '"') >= 0
            ? "The connection failed or the answer was malformed (the transport's description quoted the server's bytes and is not kept)."
            : ErrorResponse.SafeText(message, record, 512);

    private static void TraceSending(ILogger logger, CallState s, HttpRequestMessage attempt)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            string uri = Endpoints.LexEndpoint.Display(s.Snapshot.Uri);
            Log.AttemptSending(logger, s.Operation, s.Attempts, attempt.Method.Method, uri);
        }
    }

    private static void TraceAnswered(LexClientRuntime runtime, CallState s, HttpResponseMessage response, Signing.SigningRecord record, long started)
    {
        ILogger logger = runtime.Logger;
        if (logger.IsEnabled(LogLevel.Trace))
        {
            double elapsedMs = runtime.Time.GetElapsedTime(started).TotalMilliseconds;
            string headers = LoggedHeaders(response, record);
            Log.AttemptAnswered(logger, s.Operation, s.Attempts, (int)response.StatusCode, elapsedMs, headers);
        }
    }

    /// <summary>
    /// The response's headers for the Trace log, as one line: every value with the attempt's signature, session token and secret
    /// key redacted, and unsafe characters removed; capped at 4 KB.
    /// </summary>
    private static string LoggedHeaders(HttpResponseMessage response, Signing.SigningRecord record)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            text.Append(name).Append(": ").Append(values.ToString()).Append("; ");
            if (text.Length > 16 * 1024)
            {
                break;
            }
        }

        return ErrorResponse.SafeText(text.ToString(), record, 4096);
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private LexPolicyTimeoutException TimeoutError(CallState state, TimeoutRejectedException timeout)
    {
        var o = _runtime.Options;
        string message = state.OverallTimedOut
            ? $"{state.Operation} did not complete within the overall timeout of {o.OverallTimeout.TotalSeconds:0.###} s ({state.Attempts} attempt(s)). Raise LexPolicyClientOptions.OverallTimeout if calls legitimately take longer."
            : $"{state.Operation} attempt {state.Attempts} did not complete within the per-attempt timeout of {o.AttemptTimeout.TotalSeconds:0.###} s and no retry was left." +
              (state.BudgetExhausted ? Errors.ErrorMapper.RetryBudgetHint(_runtime.Limiter is not null) : " Raise LexPolicyClientOptions.AttemptTimeout or MaxRetries.");
        return new LexPolicyTimeoutException(message, state.OverallTimedOut, timeout) { Attempts = state.Attempts };
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(LexClientRuntime runtime)
    {
        var o = runtime.Options;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = runtime.Time };
        builder.AddTimeout(MarkingTimeout(o.OverallTimeout, static s => s.OverallTimedOut = true));
        builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            // Transient retries are counted against MaxRetries in ShouldHandle; the extra one is the clock-skew correction.
            MaxRetryAttempts = runtime.MaxRetries + 1,
            ShouldHandle = args => new ValueTask<bool>(ShouldRetry(runtime, args)),
            DelayGenerator = args => new ValueTask<TimeSpan?>(NextDelay(runtime, args)),
            OnRetry = args =>
            {
                var s = args.Context.Properties.GetValue(StateKey, null!);
                var status = args.Outcome.Result?.StatusCode;
                string? code = s.LastError?.Code;
                string byStatus = status is { } st ? ((int)st).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "unknown";
                Log.Retrying(runtime.Logger, s.Operation, args.AttemptNumber + 1, status is { } sc ? (int)sc : 0, code ?? byStatus, args.RetryDelay.TotalMilliseconds);
                if (Diagnostics.LexTelemetry.Retries.Enabled)
                {
                    // A code the client knows, else the status: a server's own code is free text, not a bounded tag value.
                    Diagnostics.LexTelemetry.Retries.Add(1, new("operation", s.Operation), new("reason", code is not null && ErrorMapper.IsListed(code) ? code : byStatus));
                }
                return default;
            },
        });
        if (runtime.Limiter is { } limiter)
        {
            // Adaptive mode: every attempt waits for a permit of the client's rate limiter (free until the first throttle),
            // outside the attempt's own timeout so that pacing is not mistaken for a slow service.
            builder.AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => limiter.AcquireAsync(1, args.Context.CancellationToken),
            });
        }

        builder.AddTimeout(MarkingTimeout(o.AttemptTimeout, static s => s.AttemptTimedOut = true));
        return builder.Build();
    }

    /// <summary>A timeout that records on the call which of the client's own timeouts fired (an inner handler's may fire too).</summary>
    private static TimeoutStrategyOptions MarkingTimeout(TimeSpan timeout, Action<CallState> mark) => new()
    {
        Timeout = timeout,
        OnTimeout = args =>
        {
            if (args.Context.Properties.TryGetValue(StateKey, out var s))
            {
                mark(s);
            }

            return default;
        },
    };

    private static bool ShouldRetry(LexClientRuntime runtime, RetryPredicateArguments<HttpResponseMessage> args)
    {
        if (args.Context.CancellationToken.IsCancellationRequested || !args.Context.Properties.TryGetValue(StateKey, out var s))
        {
            return false;
        }

        s.SkewRetry = false;
        int cost;
        if (args.Outcome.Exception is { } e)
        {
            if (e is TimeoutRejectedException)
            {
                cost = RetryBudget.TimeoutRetryCost;
            }
            else if (IsTransient(e))
            {
                cost = RetryBudget.RetryCost;
            }
            else
            {
                return false;
            }
        }
        else
        {
            HttpResponseMessage response = args.Outcome.Result!;
            if (s.LastError is { } error && !s.SkewCorrected && ClockSkewDetector.TryGetOffset(error, response, runtime.Time.GetUtcNow(), runtime.Skew.Offset, out var offset))
            {
                s.SkewCorrected = true;
                s.SkewRetry = true;
                runtime.Skew.Set(offset);
                Log.ClockSkewCorrected(runtime.Logger, s.Operation, offset.TotalSeconds);
                return true;
            }

            if (!IsRetryableResponse(response.StatusCode, s.LastError?.Code))
            {
                return false;
            }

            cost = RetryBudget.RetryCost;
        }

        if (s.TransientRetries >= runtime.MaxRetries)
        {
            return false;
        }

        if (!runtime.Budget.TryAcquire(cost, ref s.Tokens))
        {
            Log.RetryBudgetExhausted(runtime.Logger, s.Operation, s.Attempts);
            s.BudgetExhausted = true;
            return false;
        }

        s.TransientRetries++;
        return true;
    }

    /// <summary>A throttling answer, as adaptive mode counts them: 429, or a throttling error code in the header.</summary>
    private static bool IsThrottle(HttpResponseMessage response) =>
        (int)response.StatusCode == 429 ||
        (!response.IsSuccessStatusCode && response.Headers.NonValidated.TryGetValues("x-amzn-ErrorType", out var types) &&
         ErrorResponse.NormalizeCode(types.ToString()) is { } code && ErrorMapper.ThrottlingCodes.Contains(code));

    internal static bool IsRetryableResponse(HttpStatusCode status, string? code) =>
        (int)status is 429 or 500 or 502 or 503 or 504 ||
        (code is not null && (ErrorMapper.ThrottlingCodes.Contains(code) || ErrorMapper.TransientCodes.Contains(code)));

    /// <summary>
    /// A failure worth another attempt: the connection failed, was reset or ended early, the name did not resolve, the answer was
    /// garbled. Not: TLS or authentication failures, limits, version negotiation, and errors the transport raises before writing
    /// anything (an <see cref="HttpRequestError.Unknown"/> without an I/O cause, such as a header value it refuses to write).
    /// </summary>
    internal static bool IsTransient(Exception e) => e switch
    {
        HttpRequestException h => h.HttpRequestError switch
        {
            HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ResponseEnded or
            HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError or HttpRequestError.ProxyTunnelError => true,
            HttpRequestError.Unknown => h.InnerException is IOException or System.Net.Sockets.SocketException,
            _ => false,
        },
        IOException => true,
        System.Net.Sockets.SocketException => true,
        _ => false,
    };

    private static TimeSpan? NextDelay(LexClientRuntime runtime, RetryDelayGeneratorArguments<HttpResponseMessage> args)
    {
        var s = args.Context.Properties.GetValue(StateKey, null!);
        if (s.SkewRetry)
        {
            return TimeSpan.Zero;
        }

        var o = runtime.Options;
        if (s.LastError?.RetryAfter is { } retryAfter)
        {
            return retryAfter > o.MaxRetryAfter ? o.MaxRetryAfter : retryAfter;
        }

        return Backoff(o.BaseRetryDelay, o.MaxRetryDelay, s.TransientRetries, Random.Shared.NextDouble());
    }

    /// <summary>Exponential backoff capped at <paramref name="max"/>, jittered into [half, full] of the step so it never collapses to zero.</summary>
    internal static TimeSpan Backoff(TimeSpan baseDelay, TimeSpan max, int retryNumber, double random)
    {
        double exp = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, retryNumber - 1));
        double capped = Math.Min(exp, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * random)));
    }

    private sealed class CallState(RetryHandler handler, HttpRequestMessage original, RequestSnapshot snapshot)
    {
        public RetryHandler Handler { get; } = handler;

        public HttpRequestMessage Original { get; } = original;

        public RequestSnapshot Snapshot { get; } = snapshot;

        public string Operation { get; } = LexRequestMessage.OperationOf(original);

        public int Attempts { get; set; }

        public int TransientRetries { get; set; }

        public RetryBudget.CallTokens Tokens;

        public bool SkewCorrected { get; set; }

        public bool SkewRetry { get; set; }

        public bool OverallTimedOut { get; set; }

        public bool AttemptTimedOut { get; set; }

        /// <summary>A retry was refused because the client's retry budget was empty.</summary>
        public bool BudgetExhausted { get; set; }

        public ErrorResponse? LastError { get; set; }

        public Signing.SigningRecord? LastRecord { get; set; }

        public PooledBody? SuccessBody { get; set; }
    }
}
