using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LexV2.ResourcePolicy.Diagnostics;
using LexV2.ResourcePolicy.Errors;
using LexV2.ResourcePolicy.Http;
using LexV2.ResourcePolicy.Validation;
using Microsoft.Extensions.Logging;

namespace LexV2.ResourcePolicy;

/// <summary>
/// The Amazon Lex V2 resource-policy client. Thread-safe; create one per configuration and reuse it (or register it with
/// <c>services.AddLexPolicyClient(...)</c>). Each call validates its request, builds one HTTP request, and sends it through the
/// client's handler chain: retries (outermost), any handlers you added, then SigV4 signing (innermost).
/// </summary>
public sealed class LexPolicyClient : ILexPolicyClient, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly LexClientRuntime _runtime;
    private readonly RequestBuilder _builder;

    /// <summary>Creates a client that talks to AWS over its own connection pool.</summary>
    /// <param name="options">The settings; see <see cref="LexPolicyClientOptions"/> for defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">No region is configured or resolvable and no <c>ServiceUrl</c> is set.</exception>
    public LexPolicyClient(LexPolicyClientOptions options)
        : this(options, CreateTransport(), ownsTransport: true, null, null)
    {
    }

    /// <summary>
    /// Creates a client over the given transport, for example the emulator of <c>LexV2.ResourcePolicy.Testing</c> or a
    /// handler of your own. The retry and signing handlers are put in front of it. The transport is not disposed with the client.
    /// </summary>
    /// <param name="options">The settings.</param>
    /// <param name="transport">The handler that sends requests (innermost).</param>
    /// <param name="loggerFactory">Where the client logs; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for signing dates, backoff and timeouts; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">No region is configured or resolvable and no <c>ServiceUrl</c> is set.</exception>
    public LexPolicyClient(LexPolicyClientOptions options, HttpMessageHandler transport, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, transport, ownsTransport: false, loggerFactory, timeProvider)
    {
        NeverFollowRedirects(transport);
    }

    private LexPolicyClient(LexPolicyClientOptions options, HttpMessageHandler transport, bool ownsTransport, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _runtime = new LexClientRuntime(options, timeProvider, loggerFactory);
        _http = new HttpClient(_runtime.CreateChain(transport), ownsTransport) { Timeout = Timeout.InfiniteTimeSpan };
        _ownsHttp = true;
        _builder = new RequestBuilder(_runtime.Endpoint);
    }

    /// <summary>
    /// The transport the client creates for itself (and that <c>AddLexPolicyClient</c> configures): pooled connections renewed every
    /// 5 minutes (DNS changes), compressed answers accepted, and redirects never followed: a redirect would carry the signed
    /// request, its session token and its body to another origin.
    /// </summary>
    internal static SocketsHttpHandler CreateTransport() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
        AllowAutoRedirect = false,
        UseCookies = false,
    };

    /// <summary>
    /// Turns off following redirects on a transport the user brought (its own <see cref="SocketsHttpHandler"/> or
    /// <see cref="HttpClientHandler"/>, also below <see cref="DelegatingHandler"/>s): a redirect would carry the signed request,
    /// its session token and its body to another origin. A handler already in use elsewhere cannot be changed; the client still
    /// refuses any answer from an origin it did not sign for.
    /// </summary>
    internal static void NeverFollowRedirects(HttpMessageHandler? transport)
    {
        for (var handler = transport; handler is not null; handler = (handler as DelegatingHandler)?.InnerHandler)
        {
            try
            {
                switch (handler)
                {
                    case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                        sockets.AllowAutoRedirect = false;
                        break;
                    case HttpClientHandler { AllowAutoRedirect: true } client:
                        client.AllowAutoRedirect = false;
                        break;
                }
            }
            catch (InvalidOperationException)
            {
                // Already started: cannot be changed any more.
            }
        }
    }

    /// <summary>Used by dependency injection: the <paramref name="http"/> client's handler chain already holds retry and signing.</summary>
    internal LexPolicyClient(HttpClient http, LexClientRuntime runtime)
    {
        _http = http;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _runtime = runtime;
        _builder = new RequestBuilder(runtime.Endpoint);
    }

    /// <summary>The endpoint this client sends to.</summary>
    public Uri Endpoint => _runtime.Endpoint;

    /// <summary>The region requests are signed for.</summary>
    public string SigningRegion => _runtime.SigningRegion;

    /// <summary>
    /// Where <see cref="Endpoint"/> came from: <c>LexPolicyClientOptions.ServiceUrl</c>, <c>AWS_ENDPOINT_URL_LEX_MODELS_V2</c>,
    /// <c>AWS_ENDPOINT_URL</c>, the profile's <c>services</c> section or <c>endpoint_url</c> (with the profile and file named), or
    /// <c>regional endpoint</c>. For diagnostics; never a secret.
    /// </summary>
    public string EndpointSource => _runtime.Settings.EndpointSource;

    /// <summary>
    /// Where the client's region came from: <c>LexPolicyClientOptions.Region</c>, <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, the
    /// profile's <c>region</c> (with the profile and file named), or <c>none</c> (then <see cref="SigningRegion"/> comes from the
    /// endpoint's host name, or is <c>us-east-1</c>). For diagnostics; never a secret.
    /// </summary>
    public string RegionSource => _runtime.Settings.RegionSource;

    /// <summary>The retry mode the client uses (see <see cref="LexPolicyClientOptions.RetryMode"/>).</summary>
    public LexRetryMode RetryMode => _runtime.Settings.RetryMode;

    /// <summary>
    /// Where <see cref="RetryMode"/> came from: <c>LexPolicyClientOptions.RetryMode</c>, <c>AWS_RETRY_MODE</c>, the profile's
    /// <c>retry_mode</c> (with the profile and file named), or <c>default</c>. For diagnostics, and for tools that pick their
    /// own default when the user chose none.
    /// </summary>
    public string RetryModeSource => _runtime.Settings.RetryModeSource;

    /// <inheritdoc/>
    public Task<CreateResourcePolicyStatementResponse> CreateResourcePolicyStatementAsync(CreateResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync(request, _runtime.Options.RejectLintFindings ? ValidateAndLintStatement : ValidateStatement, static (b, r) => b.CreateResourcePolicyStatement(r), LexJsonContext.Default.CreateResourcePolicyStatementResponse, cancellationToken);

    /// <inheritdoc/>
    public Task<DeleteResourcePolicyStatementResponse> DeleteResourcePolicyStatementAsync(DeleteResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync(request, RequestValidator.Validate, static (b, r) => b.DeleteResourcePolicyStatement(r), LexJsonContext.Default.DeleteResourcePolicyStatementResponse, cancellationToken);

    /// <inheritdoc/>
    public Task<CreateResourcePolicyResponse> CreateResourcePolicyAsync(CreateResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync(request, RequestValidator.Validate, static (b, r) => b.CreateResourcePolicy(r), LexJsonContext.Default.CreateResourcePolicyResponse, cancellationToken);

    /// <inheritdoc/>
    public Task<DescribeResourcePolicyResponse> DescribeResourcePolicyAsync(DescribeResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync(request, RequestValidator.Validate, static (b, r) => b.DescribeResourcePolicy(r), LexJsonContext.Default.DescribeResourcePolicyResponse, cancellationToken);

    /// <inheritdoc/>
    public Task<UpdateResourcePolicyResponse> UpdateResourcePolicyAsync(UpdateResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync(request, RequestValidator.Validate, static (b, r) => b.UpdateResourcePolicy(r), LexJsonContext.Default.UpdateResourcePolicyResponse, cancellationToken);

    /// <inheritdoc/>
    public Task<DeleteResourcePolicyResponse> DeleteResourcePolicyAsync(DeleteResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync(request, RequestValidator.Validate, static (b, r) => b.DeleteResourcePolicy(r), LexJsonContext.Default.DeleteResourcePolicyResponse, cancellationToken);

    /// <summary>Releases the client's connections when it created them.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static readonly Action<CreateResourcePolicyStatementRequest> ValidateStatement = RequestValidator.Validate;
    private static readonly Action<CreateResourcePolicyStatementRequest> ValidateAndLintStatement = ValidateAndLint;

    private static void ValidateAndLint(CreateResourcePolicyStatementRequest request)
    {
        RequestValidator.Validate(request);
        if (PolicyLinter.Lint(request) is { Count: > 0 } findings)
        {
            throw new RequestValidationException(LexOperation.CreateResourcePolicyStatement, [.. findings.Select(f => new ValidationViolation(f.MemberPath, f.Kind + ": " + f.Message))]);
        }
    }

    /// <summary>
    /// Every operation: validate (unless turned off: the request's rules, then its resource ARN against the signing region and
    /// partition), build the one request message, send it. Only a <see langword="null"/> request
    /// throws at the call site; every other failure, validation included, comes from awaiting the returned task, so
    /// <c>Task.WhenAll</c> over many calls observes them all.
    /// </summary>
    private Task<TResponse> InvokeAsync<TRequest, TResponse>(TRequest request, Action<TRequest> validate, Func<RequestBuilder, TRequest, LexRequestMessage> build, JsonTypeInfo<TResponse> typeInfo, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(request);
        LexRequestMessage message;
        try
        {
            if (_runtime.Options.ValidateRequests)
            {
                validate(request);
            }

            message = build(_builder, request);
            if (_runtime.Options.ValidateRequests)
            {
                try
                {
                    RequestValidator.ThrowIfOtherRegion(message.Operation, message.ResourceArn, _runtime.SigningRegion);
                }
                catch
                {
                    message.Dispose();
                    throw;
                }
            }
        }
        catch (Exception e)
        {
            return Task.FromException<TResponse>(e);
        }

        return SendAsync(message, typeInfo, cancellationToken);
    }

    /// <summary>
    /// Sends one operation's message and reads its answer: the span and metrics around it, the typed result or exception out of it.
    /// One async method for the whole call, so an answer arriving on the socket resumes as few methods as possible.
    /// </summary>
    private async Task<T> SendAsync<T>(LexRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        using var disposing = request;
        long started = Stopwatch.GetTimestamp();
        string operation = request.Operation;
        Activity? activity = LexTelemetry.Start(operation, request.ResourceArn);
        int status = 0;
        string? requestId = null;
        string? errorCode = null, metricErrorType = null;
        bool handled = false;
        try
        {
            request.Headers.TryAddWithoutValidation("User-Agent", _runtime.UserAgent);

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (LexPolicyException e)
            {
                if (e.ErrorCode == Signing.CredentialSource.ErrorCode)
                {
                    Log.CredentialsUnavailable(_runtime.Logger, operation, e.Message);
                }

                throw;
            }
            catch (Polly.ExecutionRejectedException e)
            {
                // A resilience handler added to the client's HttpClient (a circuit breaker, a rate limiter) refused the call.
                int attempts = Attempts(request);
                throw new LexPolicyException($"{operation} was rejected by a resilience handler added to the client's HttpClient ({e.GetType().Name}) after {attempts} attempt(s).", default, "Rejected", null, e) { Attempts = attempts };
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                int attempts = Attempts(request);
                throw new LexPolicyException(
                    $"{operation} could not get an answer from {_runtime.Endpoint.Host} after {attempts} attempt(s): {e.Message}" + (request.RetryBudgetExhausted ? ErrorMapper.RetryBudgetHint(_runtime.Limiter is not null) : string.Empty),
                    default, "RequestFailed", null, e) { Attempts = attempts };
            }

            using (response)
            {
                int attempts = Attempts(request);
                string? answeredId = RequestIdOf(response, request.Record);
                if (!response.IsSuccessStatusCode)
                {
                    var error = request.Error ?? ErrorResponse.Parse(response, await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false), _runtime.Time.GetUtcNow());
                    // An error the caller said it handles itself (Ensure/Remove meeting a missing policy or a concurrent writer) is not
                    // worth a warning, nor an error in metrics and spans; any other, whatever its status, is.
                    LexPolicyException failure = ErrorMapper.Map(operation, error, attempts, request.ResourceArn, request.RetryBudgetExhausted, _runtime.Limiter is not null);
                    handled = HandledAnswers.Contains(failure);
                    Log.RequestFailed(_runtime.Logger, handled ? LogLevel.Debug : LogLevel.Warning, operation, (int)response.StatusCode, error.Code, attempts, error.RequestId);
                    throw failure;
                }

                T? result;
                using (var body = request.SuccessBody ?? await ReadSuccessAsync(response, operation, attempts, cancellationToken).ConfigureAwait(false))
                {
                    if (body.Truncated)
                    {
                        throw InvalidResponse(operation, response, answeredId, attempts, $"the body is larger than {ResponseBody.MaxSuccessBytes} bytes", null);
                    }

                    try
                    {
                        result = body.Span.IsEmpty || IsBlank(body.Span)
                            ? JsonSerializer.Deserialize("{}"u8, typeInfo)
                            : JsonSerializer.Deserialize(body.Span, typeInfo);
                    }
                    catch (JsonException e)
                    {
                        // Not e.Message: its "Path: $.<name>" repeats a member name the server chose.
                        throw InvalidResponse(operation, response, answeredId, attempts, $"the body is not the expected JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", null);
                    }
                }

                if (result is null)
                {
                    throw InvalidResponse(operation, response, answeredId, attempts, "the body is JSON null", null);
                }

                if (_runtime.Logger.IsEnabled(LogLevel.Debug))
                {
                    double elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Log.RequestCompleted(_runtime.Logger, operation, (int)response.StatusCode, attempts, elapsedMs, answeredId);
                }

                (status, requestId) = ((int)response.StatusCode, answeredId);
                return result;
            }
        }
        catch (LexPolicyException e)
        {
            (status, requestId, errorCode, metricErrorType) = ((int)e.StatusCode, e.RequestId, handled ? null : e.ErrorCode ?? e.GetType().Name, handled ? null : e.MetricErrorType);
            throw;
        }
        catch (OperationCanceledException)
        {
            errorCode = metricErrorType = "Canceled";
            throw;
        }
        finally
        {
            LexTelemetry.Stop(activity, operation, status, request.Attempts, requestId, errorCode, metricErrorType, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// The first <c>x-amzn-RequestId</c> of an answer, read raw so that no parsed copy of the header is made; as the typed
    /// headers do, a value with a line break is not taken.
    /// </summary>
    private static string? RequestIdOf(HttpResponseMessage response, Signing.SigningRecord? record)
    {
        if (response.Headers.NonValidated.TryGetValues("x-amzn-RequestId", out HeaderStringValues ids))
        {
            foreach (string id in ids)
            {
                if (!id.AsSpan().ContainsAny('\r', '\n'))
                {
                    // Server text: an echoing server could put the signature or session token (or spoofing characters) here.
                    return IsPlainId(id) ? id : ErrorResponse.SafeText(id, record, 128);
                }
            }
        }

        return null;
    }

    /// <summary>A request id as AWS writes them (letters, digits, dashes, at most 128): nothing to redact, no copy made.</summary>
    private static bool IsPlainId(string id)
    {
        if (id.Length > 128)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<PooledBody> ReadSuccessAsync(HttpResponseMessage response, string operation, int attempts, CancellationToken cancellationToken)
    {
        try
        {
            return await ResponseBody.ReadPooledAsync(response.Content, ResponseBody.MaxSuccessBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw InvalidResponse(operation, response, null, attempts, $"the body could not be read ({e.GetType().Name})", null);
        }
    }

    private static async Task<byte[]> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await ResponseBody.ReadCappedAsync(response.Content, ErrorResponse.MaxBodyBytes, cancellationToken).ConfigureAwait(false)).Bytes;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            return []; // the status and headers still say what failed
        }
    }

    private static LexPolicyException InvalidResponse(string operation, HttpResponseMessage response, string? requestId, int attempts, string why, Exception? inner) =>
        new($"{operation} received an unreadable answer (HTTP {(int)response.StatusCode}): {why}", response.StatusCode, "InvalidResponse", requestId, inner) { Attempts = attempts };

    private static int Attempts(LexRequestMessage request) => request.Attempts;

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }
}
