using System.Net;
using System.Runtime.ExceptionServices;
using LexV2.ResourcePolicy.Errors;
using LexV2.ResourcePolicy.Http;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace LexV2.ResourcePolicy.Resilience;

/// <summary>
/// The client's retry pipeline (Polly v8), outermost in its handler chain: an overall timeout, then retries of throttles,
/// 500/502/503/504 and transient network failures with capped, jittered exponential backoff (or the service's
/// <c>Retry-After</c>), a shared retry budget, one clock-skew correction, and a per-attempt timeout. Every attempt sends a new
/// request message built from the body buffered once, so the handlers inside it (the signer above all) see a fresh request.
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
        var state = new CallState(this, request)
        {
            Body = request.Content switch
            {
                null => null,
                BufferedContent buffered => buffered.Bytes,
                var content => await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false),
            },
        };

        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            Outcome<HttpResponseMessage> outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, s) =>
                {
                    s.Attempts++;
                    s.LastError = null;
                    // The first attempt sends the caller's message (never sent before); each retry sends a new copy of it.
                    HttpRequestMessage attempt = s.Attempts == 1 ? s.Original : s.NewAttempt();
                    try
                    {
                        HttpResponseMessage response = await s.Handler.SendInnerAsync(attempt, ctx.CancellationToken).ConfigureAwait(false);
                        try
                        {
                            if (!response.IsSuccessStatusCode)
                            {
                                byte[] body = await ResponseBody.BufferErrorAsync(response, ctx.CancellationToken).ConfigureAwait(false);
                                s.LastError = ErrorResponse.Parse(response, body, s.Handler._runtime.Time.GetUtcNow());
                            }
                            else if (s.Original is LexRequestMessage)
                            {
                                // Read the body inside the attempt, so the attempt and overall timeouts cover a stalled body
                                // and a connection reset mid-body is retried like any transient failure.
                                s.SuccessBody?.Dispose();
                                s.SuccessBody = await ResponseBody.ReadPooledAsync(response.Content, ResponseBody.MaxSuccessBytes, ctx.CancellationToken).ConfigureAwait(false);
                            }
                        }
                        catch
                        {
                            response.Dispose();
                            throw;
                        }

                        return Outcome.FromResult(response);
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<HttpResponseMessage>(e);
                    }
                },
                context,
                state).ConfigureAwait(false);

            if (request is LexRequestMessage lex)
            {
                lex.Attempts = state.Attempts;
                lex.Error = state.LastError;
                lex.SuccessBody = outcome.Exception is null ? state.SuccessBody : null;
            }

            if (outcome.Exception is { } exception)
            {
                if (exception is TimeoutRejectedException timeout && !cancellationToken.IsCancellationRequested)
                {
                    throw TimeoutError(state, timeout);
                }

                ExceptionDispatchInfo.Throw(exception);
            }

            HttpResponseMessage result = outcome.Result!;
            if (result.IsSuccessStatusCode)
            {
                _runtime.Budget.Release(state.TokensTaken > 0 ? state.TokensTaken : RetryBudget.SuccessRefund);
            }

            return result;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private LexPolicyTimeoutException TimeoutError(CallState state, TimeoutRejectedException timeout)
    {
        var o = _runtime.Options;
        string message = state.OverallTimedOut
            ? $"{state.Operation} did not complete within the overall timeout of {o.OverallTimeout.TotalSeconds:0.###} s ({state.Attempts} attempt(s)). Raise LexPolicyClientOptions.OverallTimeout if calls legitimately take longer."
            : $"{state.Operation} attempt {state.Attempts} did not complete within the per-attempt timeout of {o.AttemptTimeout.TotalSeconds:0.###} s and no retry was left. Raise LexPolicyClientOptions.AttemptTimeout or MaxRetries.";
        return new LexPolicyTimeoutException(message, state.OverallTimedOut, timeout) { Attempts = state.Attempts };
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(LexClientRuntime runtime)
    {
        var o = runtime.Options;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = runtime.Time };
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Timeout = o.OverallTimeout,
            OnTimeout = static args =>
            {
                if (args.Context.Properties.TryGetValue(StateKey, out var s))
                {
                    s.OverallTimedOut = true;
                }

                return default;
            },
        });
        builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            // Transient retries are counted against MaxRetries in ShouldHandle; the extra one is the clock-skew correction.
            MaxRetryAttempts = o.MaxRetries + 1,
            ShouldHandle = args => new ValueTask<bool>(ShouldRetry(runtime, args)),
            DelayGenerator = args => new ValueTask<TimeSpan?>(NextDelay(runtime, args)),
            OnRetry = args =>
            {
                var s = args.Context.Properties.GetValue(StateKey, null!);
                var status = args.Outcome.Result?.StatusCode;
                string reason = s.LastError?.Code ?? (status is { } st ? ((int)st).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "unknown");
                Log.Retrying(runtime.Logger, s.Operation, args.AttemptNumber + 1, status is { } sc ? (int)sc : 0, reason, args.RetryDelay.TotalMilliseconds);
                if (Diagnostics.LexTelemetry.Retries.Enabled)
                {
                    Diagnostics.LexTelemetry.Retries.Add(1, new("operation", s.Operation), new("reason", reason));
                }
                return default;
            },
        });
        builder.AddTimeout(o.AttemptTimeout);
        return builder.Build();
    }

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

        if (s.TransientRetries >= runtime.Options.MaxRetries)
        {
            return false;
        }

        if (!runtime.Budget.TryAcquire(cost))
        {
            Log.RetryBudgetExhausted(runtime.Logger, s.Operation, s.Attempts);
            return false;
        }

        s.TokensTaken += cost;
        s.TransientRetries++;
        return true;
    }

    internal static bool IsRetryableResponse(HttpStatusCode status, string? code) =>
        (int)status is 429 or 500 or 502 or 503 or 504 ||
        (code is not null && ErrorMapper.ThrottlingCodes.Contains(code));

    internal static bool IsTransient(Exception e) => e switch
    {
        HttpRequestException h => h.HttpRequestError is not (HttpRequestError.SecureConnectionError or HttpRequestError.UserAuthenticationError or HttpRequestError.ConfigurationLimitExceeded),
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

    private sealed class CallState(RetryHandler handler, HttpRequestMessage original)
    {
        public RetryHandler Handler { get; } = handler;

        public HttpRequestMessage Original { get; } = original;

        public string Operation { get; } = LexRequestMessage.OperationOf(original);

        public byte[]? Body { get; init; }

        public int Attempts { get; set; }

        public int TransientRetries { get; set; }

        public int TokensTaken { get; set; }

        public bool SkewCorrected { get; set; }

        public bool SkewRetry { get; set; }

        public bool OverallTimedOut { get; set; }

        public ErrorResponse? LastError { get; set; }

        public PooledBody? SuccessBody { get; set; }

        /// <summary>A new message for one attempt: same method, URI, headers, options and body; no signature carried over.</summary>
        public HttpRequestMessage NewAttempt()
        {
            HttpRequestMessage attempt = Original is LexRequestMessage lex
                ? new LexRequestMessage(lex.Method, lex.RequestUri!, lex.Operation, lex.ResourceArn)
                : new HttpRequestMessage(Original.Method, Original.RequestUri);
            attempt.Version = Original.Version;
            attempt.VersionPolicy = Original.VersionPolicy;
            foreach (var header in Original.Headers)
            {
                if (!IsSignatureHeader(header.Key))
                {
                    attempt.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            foreach (var option in Original.Options)
            {
                ((IDictionary<string, object?>)attempt.Options)[option.Key] = option.Value;
            }

            if (Body is not null)
            {
                attempt.Content = new BufferedContent(Body);
                foreach (var header in Original.Content!.Headers)
                {
                    attempt.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            return attempt;
        }

        private static bool IsSignatureHeader(string name) =>
            name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) ||
            name.Equals("X-Amz-Content-SHA256", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase);
    }
}
