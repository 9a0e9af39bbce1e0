using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// An in-memory emulator of the six Lex V2 resource-policy operations, as an <see cref="HttpMessageHandler"/>: put it under the
/// real client (<see cref="CreateClient"/>, or <c>UseLexPolicyEmulator</c> on the client's <c>IHttpClientBuilder</c>) and the
/// client's serialization, signing, retries and error mapping all run unchanged. Semantics are those of the API documentation:
/// one policy per resource ARN, decimal revision ids that grow with every change and never repeat for an ARN, statement ids
/// unique per policy, stale <c>expectedRevisionId</c> → 412, duplicate statement → 409, missing policy or statement → 404,
/// documented constraints and the IAM policy grammar → 400, SigV4 verified on every request over its wire form (403
/// otherwise). To serve it over HTTP to any AWS client, use <c>LexPolicyEmulatorServer</c> (package <c>LexV2.ResourcePolicy.Testing.Server</c>). Thread-safe. Disposing it
/// does nothing, so HttpClientFactory may recycle handlers around it without losing state.
/// </summary>
public sealed class LexPolicyEmulator : HttpMessageHandler
{
    private const string ErrorTypeSuffix = ":http://internal.amazon.com/coral/com.amazonaws.lexmodelsv2/";
    private readonly object _state = new();
    private readonly Dictionary<string, PolicyEntry> _policies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lastRevision = new(StringComparer.Ordinal);
    private readonly RequestLog _log;
    private readonly LexPolicyEmulatorOptions _options;
    private readonly SigV4Verifier _verifier;

    /// <summary>Creates an emulator with no policies.</summary>
    /// <param name="options">Settings; defaults accept AWS's example credentials (<c>AKIDEXAMPLE</c>) in any region.</param>
    /// <exception cref="ArgumentOutOfRangeException">A request-log bound is not positive (or the body bound negative).</exception>
    public LexPolicyEmulator(LexPolicyEmulatorOptions? options = null)
    {
        _options = options ?? new LexPolicyEmulatorOptions();
        Faults.Clock = _options.TimeProvider;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxRecordedRequests, "options.MaxRecordedRequests");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxRecordedBytes, "options.MaxRecordedBytes");
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRecordedBodyBytes, "options.MaxRecordedBodyBytes");
        _log = new RequestLog(_options.MaxRecordedRequests, _options.MaxRecordedBytes, _options.MaxRecordedBodyBytes);
        _verifier = new SigV4Verifier(new Dictionary<string, string>(_options.Credentials, StringComparer.Ordinal), _options.Region, "lex", _options.MaxClockSkew);
    }

    /// <summary>Faults to inject into the next requests.</summary>
    public EmulatorFaults Faults { get; } = new();

    /// <summary>
    /// A snapshot of the requests received so far, oldest first, within the log's bounds
    /// (<see cref="LexPolicyEmulatorOptions.MaxRecordedRequests"/>, <see cref="LexPolicyEmulatorOptions.MaxRecordedBytes"/>).
    /// </summary>
    public IReadOnlyList<RecordedRequest> Requests => _log.Snapshot();

    /// <summary>The ARNs that currently have a policy.</summary>
    public IReadOnlyCollection<string> ResourceArns
    {
        get
        {
            lock (_state)
            {
                return [.. _policies.Keys];
            }
        }
    }

    /// <summary>
    /// Creates a real <see cref="LexPolicyClient"/> over this emulator, signing with the first configured credentials in
    /// <c>us-east-1</c>; nothing leaves the process.
    /// </summary>
    /// <param name="configure">Changes the client's options before it is built.</param>
    /// <returns>A client; dispose it when done (the emulator is not disposed with it).</returns>
    public LexPolicyClient CreateClient(Action<LexPolicyClientOptions>? configure = null)
    {
        var (accessKey, secretKey) = ClientCredentials;
        var options = new LexPolicyClientOptions
        {
            Region = RequiredRegion ?? "us-east-1",
            Credentials = new Amazon.Runtime.BasicAWSCredentials(accessKey, secretKey),
        };
        IgnoreMachineRetrySettings(options);
        configure?.Invoke(options);
        return new LexPolicyClient(options, this, null, _options.TimeProvider);
    }

    /// <summary>The credentials the emulator's clients sign with: the first configured pair.</summary>
    internal KeyValuePair<string, string> ClientCredentials => _options.Credentials.First();

    /// <summary>The region requests must be signed for, when the emulator requires one.</summary>
    internal string? RequiredRegion => _options.Region;

    /// <summary>
    /// Pins the retry settings a client would otherwise take from the machine running the tests (<c>AWS_MAX_ATTEMPTS</c>,
    /// <c>AWS_RETRY_MODE</c>, the profile's <c>max_attempts</c> and <c>retry_mode</c>) to the options' own, else the defaults,
    /// so that a test over the emulator (its faults above all) runs alike on every machine.
    /// </summary>
    internal static void IgnoreMachineRetrySettings(LexPolicyClientOptions options)
    {
        options.MaxRetries = options.MaxRetries; // the value set in code or configuration, else the default: never the machine's
        options.RetryMode ??= LexRetryMode.Standard;
    }

    /// <summary>Declares that a bot or bot alias does not exist: every operation on it answers <c>ResourceNotFoundException</c>.</summary>
    /// <param name="resourceArn">The ARN.</param>
    public void DeclareMissingResource(string resourceArn)
    {
        ArgumentNullException.ThrowIfNull(resourceArn);
        lock (_state)
        {
            _missing.Add(resourceArn);
            _policies.Remove(resourceArn);
        }
    }

    /// <summary>
    /// Sets the policy of a resource directly (no request, and no checks of the policy beyond JSON with a <c>Statement</c>
    /// object or list), for arranging a test. The ARN is held to the rules requests are: a policy no request could name would
    /// only hide a typo. Later changes continue from the larger of <paramref name="revision"/> and the last revision the ARN had.
    /// </summary>
    /// <param name="resourceArn">The ARN: a Lex V2 bot or bot alias ARN, as requests must name it.</param>
    /// <param name="policy">The policy JSON: an object with a <c>Statement</c> object or list of objects.</param>
    /// <param name="revision">Its revision.</param>
    /// <exception cref="ArgumentException">The ARN is not a Lex V2 bot or bot alias ARN, or the policy is not such a JSON object.</exception>
    public void SeedPolicy(string resourceArn, string policy, int revision = 1)
    {
        ArgumentNullException.ThrowIfNull(resourceArn);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        if (ResourceArn.Check(resourceArn, out _) is { } arnError)
        {
            throw new ArgumentException($"The resource ARN '{resourceArn}' is not a Lex V2 bot or bot alias ARN: {arnError}.", nameof(resourceArn));
        }

        if ((PolicyGrammar.Parse(policy, out var document)?.Message ?? PolicyGrammar.CheckManageable(document)) is { } error)
        {
            throw new ArgumentException(error, nameof(policy));
        }

        lock (_state)
        {
            _missing.Remove(resourceArn);
            _policies[resourceArn] = new PolicyEntry(document, revision);
            _lastRevision[resourceArn] = Math.Max(revision, _lastRevision.GetValueOrDefault(resourceArn));
        }
    }

    /// <summary>The current policy of a resource, or <see langword="null"/> when it has none.</summary>
    /// <param name="resourceArn">The ARN.</param>
    /// <returns>The policy JSON and revision.</returns>
    public EmulatedPolicy? GetPolicy(string resourceArn)
    {
        lock (_state)
        {
            return _policies.TryGetValue(resourceArn, out var entry)
                ? new EmulatedPolicy(entry.Document.ToJsonString(), entry.Revision.ToString(CultureInfo.InvariantCulture), PolicyGrammar.Statements(entry.Document).Count())
                : null;
        }
    }

    /// <summary>
    /// Would this call be allowed, given what the emulator stores now? Evaluates <paramref name="request"/> with
    /// <see cref="PolicyEvaluator.Evaluate"/> against the policy of <see cref="AccessRequest.Resource"/> (a resource without one,
    /// or declared missing, has an empty resource policy), so a test can assert access after its code ran.
    /// </summary>
    /// <param name="request">Who calls what, on which resource, with which context (and identity policies).</param>
    /// <returns>The decision, with its per-statement account.</returns>
    /// <exception cref="ArgumentException">The request is malformed (see <see cref="PolicyEvaluator.Evaluate"/>).</exception>
    public AccessDecision Evaluate(AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? json;
        lock (_state)
        {
            json = request.Resource is { } arn && _policies.TryGetValue(arn, out var entry) ? entry.Document.ToJsonString() : null;
        }

        return PolicyEvaluator.Evaluate(json is null ? new PolicyDocument { Statement = [] } : PolicyDocument.Parse(json), request);
    }

    /// <summary>Forgets every policy, revision counter, declared-missing resource, recorded request and pending fault.</summary>
    public void Reset()
    {
        lock (_state)
        {
            _policies.Clear();
            _missing.Clear();
            _lastRevision.Clear();
        }

        _log.Clear();
        Faults.Clear();
    }

    /// <summary>
    /// Answers one request as it would be answered over a socket: the request is first turned into the header lines .NET's
    /// <c>SocketsHttpHandler</c> writes for it, and the signature is verified on those. <paramref name="rawPathAndQuery"/> is
    /// the request target exactly as it arrived on the wire, when it is known (a <see cref="Uri"/> may normalize it);
    /// <see langword="null"/> uses the request URI. A server that has the header lines as received should use
    /// <see cref="AnswerAsync"/> instead.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="rawPathAndQuery">The raw request target, if known.</param>
    /// <param name="cancellationToken">Cancels the latency wait.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="HttpRequestException">A dropped-connection or lost-answer fault was injected.</exception>
    public async Task<HttpResponseMessage> ProcessAsync(HttpRequestMessage request, string? rawPathAndQuery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var wire = await InMemoryWireForm.FromMessageAsync(request, rawPathAndQuery, cancellationToken).ConfigureAwait(false);
        var response = await AnswerCoreAsync(wire, null, cancellationToken).ConfigureAwait(false)
            ?? throw new HttpRequestException(HttpRequestError.ConnectionError, "The emulator dropped the connection (injected fault).", new IOException("Connection reset by peer (injected)."));
        response.RequestMessage = request;
        return response;
    }

    /// <summary>
    /// Answers a request an HTTP server received, for serving the emulator (<c>LexV2.ResourcePolicy.Testing.Server</c> does,
    /// on Kestrel). The signature is verified on the request target and header lines as received; the body is read (through
    /// <paramref name="request"/>'s reader) only when the headers authenticate, and otherwise left unread: the server should
    /// discard it without keeping it.
    /// </summary>
    /// <param name="request">The request as received.</param>
    /// <param name="cancellationToken">Cancels reading the body and the latency wait.</param>
    /// <returns>
    /// The answer to send; <see langword="null"/> when an injected fault (<see cref="EmulatorFaults.DropNextConnections"/>,
    /// <see cref="EmulatorFaults.DropNextResponsesAfterCommit"/>) says the connection is to be dropped without any answer.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public async Task<HttpResponseMessage?> AnswerAsync(ReceivedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        EmulatorError? rejected = null;
        if (request.HasBody)
        {
            // Authentication first: a request that fails it never has its body read, so it cannot hold memory.
            rejected = _options.VerifySignatures ? _verifier.VerifyHeaders(request, _options.TimeProvider.GetUtcNow()) : null;
            if (rejected is null)
            {
                await request.ReadBodyAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                request.DiscardBody();
            }
        }

        return await AnswerCoreAsync(request, rejected, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        ProcessAsync(request, null, cancellationToken);

    /// <summary>Does nothing: the emulator's state outlives handler recycling by HttpClientFactory.</summary>
    /// <param name="disposing">Ignored.</param>
    protected override void Dispose(bool disposing) => base.Dispose(disposing);

    /// <summary>
    /// Waits at least <paramref name="latency"/> on the emulator's clock. A timer can fire a little before its due time by the
    /// clock's own timestamps (the system timer runs on a coarse tick: 300 ms was once measured as 299 ms), so what remains
    /// is waited again, rounded up to whole milliseconds: the latency is a floor a test can assert.
    /// </summary>
    /// <param name="latency">The latency; zero or less waits nothing.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    private async Task WaitLatencyAsync(TimeSpan latency, CancellationToken cancellationToken)
    {
        var clock = _options.TimeProvider;
        long start = clock.GetTimestamp();
        for (var remaining = latency; remaining > TimeSpan.Zero; remaining = latency - clock.GetElapsedTime(start))
        {
            var wait = TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds));
            await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Answers a request in its wire form; <see langword="null"/> means: drop the connection without an answer.</summary>
    /// <param name="wire">The request.</param>
    /// <param name="authenticationError">The error the header checks already found, when the body was not read.</param>
    /// <param name="cancellationToken">Cancels the latency wait.</param>
    private async Task<HttpResponseMessage?> AnswerCoreAsync(ReceivedRequest wire, EmulatorError? authenticationError, CancellationToken cancellationToken)
    {
        var route = Route(wire.Method, wire.Target);
        var fault = Faults.Take();
        await WaitLatencyAsync(Faults.Latency, cancellationToken).ConfigureAwait(false);

        // Authentication also decides what the log keeps: no body from a request that failed it, even one a fault answers.
        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        EmulatorError? authError = authenticationError ?? (_options.VerifySignatures ? _verifier.Verify(wire, now) : null);
        if (fault.Kind == EmulatorFaults.FaultKind.Drop)
        {
            _log.Add(wire, route.Operation, route.Arn, authError is null, 0, null);
            return null;
        }

        EmulatorError? error = fault.Kind switch
        {
            EmulatorFaults.FaultKind.Throttle => new EmulatorError((HttpStatusCode)429, "ThrottlingException", "Rate exceeded (injected fault)."),
            EmulatorFaults.FaultKind.Fail => new EmulatorError(fault.Status, fault.Code ?? (fault.Status == HttpStatusCode.InternalServerError ? "InternalServerException" : string.Empty), "Injected server failure."),
            _ => authError,
        };

        HttpResponseMessage? response = null;
        bool lost = false;
        if (error is null)
        {
            lost = route.Operation is not ("DescribeResourcePolicy" or "Unknown") && Faults.TakeLostAnswer();
            (response, error) = route.Error is { } routeError ? (null, routeError) : Handle(route, wire.Body, EmulatorRules.SignedRegion(wire.Joined("authorization")));
        }

        if (error is not null)
        {
            response = Error(error);
            if (fault.Kind == EmulatorFaults.FaultKind.Throttle && fault.RetryAfter is { } retryAfter)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            }
        }

        response!.Headers.TryAddWithoutValidation("x-amzn-RequestId", Guid.NewGuid().ToString());
        response.Headers.Date = now;
        if (lost)
        {
            // The write is committed; its answer never leaves.
            _log.Add(wire, route.Operation, route.Arn, keepBody: true, 0, null);
            response.Dispose();
            return null;
        }

        _log.Add(wire, route.Operation, route.Arn, authError is null, response.StatusCode, error?.Code is { Length: > 0 } c ? c : null);
        return response;
    }

    private static RouteMatch Route(string method, string target)
    {
        int q = target.IndexOf('?', StringComparison.Ordinal);
        string path = q >= 0 ? target[..q] : target;
        string? expected = null;
        if (q >= 0)
        {
            foreach (string pair in target[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                if (pair.StartsWith("expectedRevisionId=", StringComparison.Ordinal))
                {
                    expected = Uri.UnescapeDataString(pair["expectedRevisionId=".Length..]);
                }
            }
        }

        // Both /policy/{arn}/ (botocore, AWS SDK for .NET) and /policy/{arn} (JavaScript SDK v3) are accepted.
        string[] s = path.TrimEnd('/').Split('/');
        string? Decode(int i) => i < s.Length ? Uri.UnescapeDataString(s[i]) : null;
        string operation = (method, s.Length) switch
        {
            ("POST", 3) when s[1] == "policy" => "CreateResourcePolicy",
            ("GET", 3) when s[1] == "policy" => "DescribeResourcePolicy",
            ("PUT", 3) when s[1] == "policy" => "UpdateResourcePolicy",
            ("DELETE", 3) when s[1] == "policy" => "DeleteResourcePolicy",
            ("POST", 4) when s[1] == "policy" && s[3] == "statements" => "CreateResourcePolicyStatement",
            ("DELETE", 5) when s[1] == "policy" && s[3] == "statements" => "DeleteResourcePolicyStatement",
            _ => "Unknown",
        };

        EmulatorError? error = operation == "Unknown"
            ? new EmulatorError(HttpStatusCode.NotFound, "UnknownOperationException", $"No operation matches {method} {path}.")
            : null;
        return new RouteMatch(operation, s.Length > 2 && s[1] == "policy" ? Decode(2) : null, operation == "DeleteResourcePolicyStatement" ? Decode(4) : null, expected, error);
    }

    /// <summary>One operation; <paramref name="signedRegion"/> is the region of the request's credential scope, when it was signed.</summary>
    private (HttpResponseMessage? Response, EmulatorError? Error) Handle(RouteMatch route, ReadOnlyMemory<byte> body, string? signedRegion)
    {
        string arn = route.Arn!;
        var error = EmulatorRules.CheckShape("resourceArn", "AmazonResourceName", arn)
            ?? (route.ExpectedRevisionId is { } rev ? EmulatorRules.CheckShape("expectedRevisionId", "RevisionId", rev) : null)
            ?? (route.StatementId is { } sid ? EmulatorRules.CheckShape("statementId", "Name", sid) : null);
        if (error is not null)
        {
            return Fail(new EmulatorError(HttpStatusCode.BadRequest, "ValidationException", error));
        }

        if (ResourceArn.Check(arn, out string account) is { } arnError)
        {
            return Fail(new EmulatorError(HttpStatusCode.BadRequest, "ValidationException", $"The resource ARN '{arn}' is not a Lex V2 bot or bot alias ARN: {arnError}."));
        }

        if (EmulatorRules.CheckRegion(arn, signedRegion) is { } regionError)
        {
            return Fail(regionError);
        }

        JsonObject? json = null;
        if (route.Operation is "CreateResourcePolicy" or "UpdateResourcePolicy" or "CreateResourcePolicyStatement")
        {
            var (parsed, problem) = StrictJson.Parse(body.Length == 0 ? "{}"u8 : body.Span);
            json = parsed as JsonObject;
            if (json is null)
            {
                return Fail(new EmulatorError(HttpStatusCode.BadRequest, "SerializationException", "The request body is not a JSON object" + (problem is null ? "." : ": " + problem)));
            }
        }

        lock (_state)
        {
            if (_missing.Contains(arn))
            {
                return Fail(new EmulatorError(HttpStatusCode.NotFound, "ResourceNotFoundException", $"Could not find the resource {arn}."));
            }

            _policies.TryGetValue(arn, out var entry);
            if (route.ExpectedRevisionId is { } expected && route.Operation is not ("DescribeResourcePolicy" or "CreateResourcePolicy") &&
                (entry is not null ? entry.Revision.ToString(CultureInfo.InvariantCulture) != expected : route.Operation == "CreateResourcePolicyStatement"))
            {
                return Fail(new EmulatorError(HttpStatusCode.PreconditionFailed, "PreconditionFailedException",
                    $"The revision id {expected} doesn't match the current revision {(entry is null ? "(no policy)" : entry.Revision)} of the policy for {arn}."));
            }

            switch (route.Operation)
            {
                case "DescribeResourcePolicy":
                    return entry is null ? NoPolicy(arn) : Ok(arn, entry, withPolicy: true);

                case "CreateResourcePolicy":
                {
                    if (entry is not null)
                    {
                        return Fail(new EmulatorError(HttpStatusCode.PreconditionFailed, "PreconditionFailedException", $"A resource policy already exists for {arn}; use UpdateResourcePolicy."));
                    }

                    if (PolicyGrammar.Check(EmulatorRules.Str(json!, "policy"), out var document) is { } policyError)
                    {
                        return Fail(policyError);
                    }

                    var created = new PolicyEntry(document, NextRevision(arn));
                    _policies[arn] = created;
                    return Ok(arn, created, withPolicy: false);
                }

                case "UpdateResourcePolicy":
                {
                    if (entry is null)
                    {
                        return NoPolicy(arn);
                    }

                    if (PolicyGrammar.Check(EmulatorRules.Str(json!, "policy"), out var document) is { } policyError)
                    {
                        return Fail(policyError);
                    }

                    entry.Document = document;
                    entry.Revision = NextRevision(arn);
                    return Ok(arn, entry, withPolicy: false);
                }

                case "DeleteResourcePolicy":
                    if (entry is null)
                    {
                        return NoPolicy(arn);
                    }

                    _policies.Remove(arn);
                    NextRevision(arn); // the deletion is a change too: a re-created policy starts after it
                    return (new HttpResponseMessage(HttpStatusCode.NoContent) { Content = new ByteArrayContent([]) }, null);

                case "CreateResourcePolicyStatement":
                {
                    if (EmulatorRules.CheckStatement(account, json!) is { } statementError)
                    {
                        return Fail(statementError);
                    }

                    string statementId = EmulatorRules.Str(json!, "statementId")!;
                    if (entry is not null && FindStatement(entry, statementId) >= 0)
                    {
                        return Fail(new EmulatorError(HttpStatusCode.Conflict, "ConflictException", $"The policy for {arn} already has a statement with the id {statementId}."));
                    }

                    var statement = BuildStatement(arn, json!);
                    if (entry is null)
                    {
                        entry = new PolicyEntry(new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray() }, 0);
                    }

                    var candidate = entry.Document.DeepClone().AsObject();
                    PolicyGrammar.StatementList(candidate).Add((JsonNode)statement);
                    if (Encoding.UTF8.GetByteCount(candidate.ToJsonString()) > PolicyGrammar.MaxPolicyBytes)
                    {
                        return Fail(new EmulatorError(HttpStatusCode.PaymentRequired, "ServiceQuotaExceededException", $"The resource policy would be larger than the {PolicyGrammar.MaxPolicyBytes}-byte quota."));
                    }

                    entry.Document = candidate;
                    entry.Revision = NextRevision(arn);
                    _policies[arn] = entry;
                    return Ok(arn, entry, withPolicy: false);
                }

                default: // DeleteResourcePolicyStatement
                {
                    if (entry is null)
                    {
                        return NoPolicy(arn);
                    }

                    int index = FindStatement(entry, route.StatementId!);
                    if (index < 0)
                    {
                        return Fail(new EmulatorError(HttpStatusCode.NotFound, "ResourceNotFoundException", $"The policy for {arn} has no statement with the id {route.StatementId}."));
                    }

                    var remaining = PolicyGrammar.StatementList(entry.Document);
                    remaining.RemoveAt(index);
                    entry.Revision = NextRevision(arn);
                    if (remaining.Count == 0)
                    {
                        _policies.Remove(arn); // as documented: deleting the last statement deletes the policy
                    }

                    return (new HttpResponseMessage(HttpStatusCode.NoContent) { Content = new ByteArrayContent([]) }, null);
                }
            }
        }
    }

    private static int FindStatement(PolicyEntry entry, string sid)
    {
        int i = 0;
        foreach (var s in PolicyGrammar.Statements(entry.Document))
        {
            if (EmulatorRules.Str(s, "Sid") == sid)
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    /// <summary>The next revision of an ARN: one more than any it ever had, so revisions never repeat, even across delete and re-create.</summary>
    private int NextRevision(string arn) => _lastRevision[arn] = _lastRevision.GetValueOrDefault(arn) + 1;

    /// <summary>The IAM statement for a CreateResourcePolicyStatement body.</summary>
    private static JsonObject BuildStatement(string arn, JsonObject body)
    {
        var services = new JsonArray();
        var aws = new JsonArray();
        foreach (var p in body["principal"]!.AsArray())
        {
            if (EmulatorRules.Str(p!.AsObject(), "service") is { } service)
            {
                services.Add((JsonNode?)JsonValue.Create(service));
            }
            else
            {
                aws.Add((JsonNode?)JsonValue.Create(EmulatorRules.Str(p.AsObject(), "arn")));
            }
        }

        var principal = new JsonObject();
        if (services.Count > 0)
        {
            principal["Service"] = services.Count == 1 ? services[0]!.GetValue<string>() : services;
        }

        if (aws.Count > 0)
        {
            principal["AWS"] = aws.Count == 1 ? aws[0]!.GetValue<string>() : aws;
        }

        var statement = new JsonObject
        {
            ["Sid"] = EmulatorRules.Str(body, "statementId"),
            ["Effect"] = EmulatorRules.Str(body, "effect"),
            ["Principal"] = principal,
            ["Action"] = body["action"]!.DeepClone(),
            ["Resource"] = arn,
        };
        if (body["condition"] is JsonObject condition && condition.Count > 0)
        {
            statement["Condition"] = condition.DeepClone();
        }

        return statement;
    }

    private static (HttpResponseMessage?, EmulatorError?) Ok(string arn, PolicyEntry entry, bool withPolicy)
    {
        var o = new JsonObject { ["resourceArn"] = arn };
        if (withPolicy)
        {
            o["policy"] = entry.Document.ToJsonString();
        }

        o["revisionId"] = entry.Revision.ToString(CultureInfo.InvariantCulture);
        return (Json(HttpStatusCode.OK, o), null);
    }

    private static (HttpResponseMessage?, EmulatorError?) NoPolicy(string arn) =>
        Fail(new EmulatorError(HttpStatusCode.NotFound, "ResourceNotFoundException", $"There is no resource policy for {arn}."));

    private static (HttpResponseMessage?, EmulatorError?) Fail(EmulatorError error) => (null, error);

    /// <summary>An error answer: JSON <c>{"message": ...}</c> with <c>x-amzn-ErrorType</c>, or without a code a proxy's HTML page.</summary>
    private static HttpResponseMessage Error(EmulatorError error)
    {
        if (error.Code.Length == 0)
        {
            // A proxy's answer: HTML, no AWS error type.
            return new HttpResponseMessage(error.Status)
            {
                Content = new StringContent($"<html><body><h1>{(int)error.Status} {error.Status}</h1></body></html>", Encoding.UTF8, "text/html"),
            };
        }

        var response = Json(error.Status, new JsonObject { ["message"] = error.Message });
        response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", error.Code + ErrorTypeSuffix);
        return response;
    }

    private static HttpResponseMessage Json(HttpStatusCode status, JsonObject body)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString())) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return response;
    }

    private sealed record RouteMatch(string Operation, string? Arn, string? StatementId, string? ExpectedRevisionId, EmulatorError? Error);

    private sealed class PolicyEntry(JsonObject document, int revision)
    {
        public JsonObject Document { get; set; } = document;

        public int Revision { get; set; } = revision;
    }
}

/// <summary>A policy as the emulator holds it.</summary>
/// <param name="Policy">The IAM policy JSON.</param>
/// <param name="RevisionId">Its revision id.</param>
/// <param name="StatementCount">How many statements it has.</param>
public sealed record EmulatedPolicy(string Policy, string RevisionId, int StatementCount);
