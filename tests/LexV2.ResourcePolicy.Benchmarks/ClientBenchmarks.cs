using System.Net;
using System.Text;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using LexV2.ResourcePolicy;
using LexV2.ResourcePolicy.Errors;
using LexV2.ResourcePolicy.Http;
using LexV2.ResourcePolicy.Signing;

namespace LexV2.ResourcePolicy.Benchmarks;

/// <summary>An in-process transport answering every request with a fixed body: no network, so the client's own cost shows.</summary>
public sealed class CannedHandler(HttpStatusCode status, byte[] body) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body), RequestMessage = request };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "bench-request-id");
        return Task.FromResult(response);
    }
}

/// <summary>The client's cost per call, against a raw HttpClient baseline through the same in-process handler.</summary>
[MemoryDiagnoser]
public class ClientBenchmarks
{
    private const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    private static readonly BasicAWSCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    private LexPolicyClient _createClient = null!;
    private LexPolicyClient _describeClient = null!;
    private HttpMessageInvoker _raw = null!;
    private HttpMessageInvoker _retryOnly = null!;
    private Amazon.Runtime.Signing.AWSSigningRequest _awsRequest = null!;
    private HttpRequestMessage _presigned = null!;
    private CreateResourcePolicyStatementRequest _grant = null!;
    private AwsSigV4Handler _signer = null!;
    private RequestBuilder _builder = null!;
    private HttpResponseMessage _errorResponse = null!;
    private byte[] _errorBody = null!;
    private readonly byte[] _created = """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID","revisionId":"12"}"""u8.ToArray();

    [GlobalSetup]
    public async Task Setup()
    {
        var options = new LexPolicyClientOptions { Region = "us-east-1", Credentials = Credentials };
        byte[] created = _created;
        _createClient = new LexPolicyClient(options, new CannedHandler(HttpStatusCode.OK, created));
        _describeClient = new LexPolicyClient(options, new CannedHandler(HttpStatusCode.OK, Encoding.UTF8.GetBytes(TenStatementDescribeBody())));
        _grant = LexGrant.ConnectInstance(BotAliasArn.Parse(Alias), "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555");

        // Baseline: a pre-built request, signed once up front, sent through the same kind of in-process handler.
        _builder = new RequestBuilder(new Uri("https://models-v2-lex.us-east-1.amazonaws.com/"));
        _presigned = _builder.CreateResourcePolicyStatement(_grant);
        _signer = new AwsSigV4Handler(Credentials, "us-east-1");
        await _signer.SignAsync(_presigned, default);
        // HttpClient refuses to send one message twice; HttpMessageInvoker is the same send path without that check.
        _raw = new HttpMessageInvoker(new CannedHandler(HttpStatusCode.OK, created));
        var retry = new LexClientRuntime(options).CreateRetryHandler();
        retry.InnerHandler = new CannedHandler(HttpStatusCode.OK, created);
        _retryOnly = new HttpMessageInvoker(retry);
        _awsRequest = new Amazon.Runtime.Signing.AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = _presigned.RequestUri, Content = await _presigned.Content!.ReadAsByteArrayAsync() };
        _awsRequest.Headers["Host"] = _presigned.RequestUri!.Host;
        _awsRequest.Headers["Content-Type"] = "application/json";

        // Steady state before BenchmarkDotNet's own warm-up: run every path until tiered compilation has promoted it. The short job's
        // few warm-up iterations do not get there on a busy machine, and a full call then runs partly at tier 0 (several times slower).
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < 10_000; i++)
            {
                await _createClient.CreateResourcePolicyStatementAsync(_grant);
                await _describeClient.DescribeResourcePolicyAsync(new() { ResourceArn = Alias });
                await _signer.SignAsync(_presigned, default);
                await RetryHandlerAlone();
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        _errorBody = """{"__type":"com.amazonaws.lexmodelsv2#ConflictException","message":"A statement with the id AllowConnect already exists."}"""u8.ToArray();
        _errorResponse = new HttpResponseMessage(HttpStatusCode.Conflict);
        _errorResponse.Headers.TryAddWithoutValidation("x-amzn-RequestId", "bench-request-id");
    }

    [Benchmark(Baseline = true, Description = "raw SendAsync of a pre-signed request")]
    public async Task<HttpStatusCode> RawBaseline()
    {
        using var response = await _raw.SendAsync(_presigned, CancellationToken.None);
        return response.StatusCode;
    }

    [Benchmark(Description = "CreateResourcePolicyStatementAsync (full chain)")]
    public async Task<string?> FullCreateStatement() => (await _createClient.CreateResourcePolicyStatementAsync(_grant)).RevisionId;

    [Benchmark(Description = "DescribeResourcePolicyAsync, 10 statements (full chain)")]
    public async Task<string?> FullDescribe() => (await _describeClient.DescribeResourcePolicyAsync(new() { ResourceArn = Alias })).Policy;

    [Benchmark(Description = "SigV4 signing alone (AwsSigV4Handler over AWSSDK.Core)")]
    public ValueTask Sign() => _signer.SignAsync(_presigned, default);

    [Benchmark(Description = "AWSSDK.Core AWSSigV4Signer called directly (the adapter's floor)")]
    public Task<Amazon.Runtime.Signing.AWSSigningResult> SignAwsSdk() =>
        Amazon.Runtime.Signing.AWSSigV4Signer.SignAsync(_awsRequest, new Amazon.Runtime.Signing.AWSSigV4Parameters
        {
            Credentials = Credentials, Region = Amazon.RegionEndpoint.USEast1, Service = "lex", SignPayload = true,
        }, CancellationToken.None);

    [Benchmark(Description = "retry handler alone (snapshot, attempt message, Polly: 2 timeouts + retry, body read), no signing")]
    public async Task<HttpStatusCode> RetryHandlerAlone()
    {
        using var response = await _retryOnly.SendAsync(_presigned, CancellationToken.None);
        ((LexRequestMessage)_presigned).SuccessBody?.Dispose();
        return response.StatusCode;
    }

    [Benchmark(Description = "request validation alone")]
    public CreateResourcePolicyStatementRequest Validate()
    {
        LexV2.ResourcePolicy.Validation.RequestValidator.Validate(_grant);
        return _grant;
    }

    [Benchmark(Description = "attempt message from the request snapshot (snapshot once + one attempt)")]
    public async Task<HttpRequestMessage> SnapshotAndAttempt()
    {
        var snapshot = await RequestSnapshot.TakeAsync(_presigned, CancellationToken.None);
        return snapshot.NewMessage();
    }

    [Benchmark(Description = "response parsing alone (created statement)")]
    public CreateResourcePolicyStatementResponse? Parse() =>
        System.Text.Json.JsonSerializer.Deserialize(_created, LexJsonContext.Default.CreateResourcePolicyStatementResponse);

    [Benchmark(Description = "request serialization alone")]
    public HttpRequestMessage Serialize() => _builder.CreateResourcePolicyStatement(_grant);

    [Benchmark(Description = "error-response mapping alone")]
    public LexPolicyException MapError() =>
        ErrorMapper.Map("CreateResourcePolicyStatement", ErrorResponse.Parse(_errorResponse, _errorBody, DateTimeOffset.UnixEpoch), 1, Alias);

    private static string TenStatementDescribeBody()
    {
        var doc = new PolicyDocument
        {
            Statement = [.. Enumerable.Range(0, 10).Select(i => new PolicyStatement
            {
                Sid = $"Statement{i}",
                Effect = Effect.Allow,
                Principal = i % 2 == 0 ? PolicyPrincipal.ForService("connect.amazonaws.com") : PolicyPrincipal.ForAws($"arn:aws:iam::123456789012:role/app{i}"),
                Action = PolicyValues.Many("lex:RecognizeText", "lex:StartConversation"),
                Resource = Alias,
                Condition = i % 2 == 0
                    ? new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>
                    {
                        ["StringEquals"] = new Dictionary<string, PolicyValues> { ["aws:SourceAccount"] = "123456789012" },
                        ["ArnEquals"] = new Dictionary<string, PolicyValues> { ["aws:SourceArn"] = $"arn:aws:connect:us-east-1:123456789012:instance/{i}" },
                    }
                    : null,
            })],
        };
        var body = new System.Text.Json.Nodes.JsonObject { ["resourceArn"] = Alias, ["policy"] = doc.ToJson(), ["revisionId"] = "12" };
        return body.ToJsonString();
    }
}
