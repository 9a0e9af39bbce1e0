using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Errors;

public class ErrorMappingTests
{
    private static MockClient NoRetryClient() => new(o => o.MaxRetries = 0);

    private static HttpResponseMessage Answer(int status, string body, string contentType = "application/json", Action<HttpResponseMessage>? edit = null)
    {
        var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8) };
        r.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        r.Headers.TryAddWithoutValidation("x-amzn-RequestId", "req-123");
        edit?.Invoke(r);
        return r;
    }

    [Theory]
    [InlineData(400, "ValidationException", typeof(ValidationException))]
    [InlineData(402, "ServiceQuotaExceededException", typeof(ServiceQuotaExceededException))]
    [InlineData(404, "ResourceNotFoundException", typeof(ResourceNotFoundException))]
    [InlineData(409, "ConflictException", typeof(ConflictException))]
    [InlineData(412, "PreconditionFailedException", typeof(PreconditionFailedException))]
    [InlineData(429, "ThrottlingException", typeof(ThrottlingException))]
    [InlineData(500, "InternalServerException", typeof(InternalServerException))]
    public async Task ModelledError_InBodyType_MapsToTypeWithMessageCodeAndRequestId(int status, string code, Type expected)
    {
        using var m = NoRetryClient();
        m.Http.When("*").Respond(_ => Answer(status, $$"""{"__type":"com.amazonaws.lexmodelsv2#{{code}}","message":"the service says no"}"""));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.IsType(expected, e);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Equal("req-123", e.RequestId);
        Assert.Contains("the service says no", e.Message);
        Assert.Contains("DescribeResourcePolicy", e.Message);
        Assert.Equal(1, e.Attempts);
    }

    [Theory]
    [InlineData(400, typeof(ValidationException))]
    [InlineData(402, typeof(ServiceQuotaExceededException))]
    [InlineData(404, typeof(ResourceNotFoundException))]
    [InlineData(409, typeof(ConflictException))]
    [InlineData(412, typeof(PreconditionFailedException))]
    [InlineData(429, typeof(ThrottlingException))]
    [InlineData(500, typeof(InternalServerException))]
    public async Task ErrorWithoutCode_MapsByStatus(int status, Type expected)
    {
        using var m = NoRetryClient();
        m.Http.When("*").Respond(_ => Answer(status, ""));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.IsType(expected, e);
    }

    [Fact]
    public async Task ErrorCode_FromHeader_HasSuffixStripped_AndHeaderMessageWins()
    {
        using var m = NoRetryClient();
        m.Http.When("*").Respond(_ => Answer(409, "{}", edit: r =>
        {
            r.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ConflictException:http://internal.amazon.com/coral/com.amazonaws.lexmodelsv2/");
            r.Headers.TryAddWithoutValidation("x-amzn-error-message", "statement exists");
        }));

        var e = await Assert.ThrowsAsync<ConflictException>(() => m.Client.CreateResourcePolicyStatementAsync(Fixtures.ConnectGrant()));

        Assert.Equal("ConflictException", e.ErrorCode);
        Assert.Contains("statement exists", e.Message);
    }

    [Fact]
    public async Task ErrorCode_IsReadAsRestJson1ClientsReadIt_HeaderThenBodyCodeThenType()
    {
        using var m = NoRetryClient();
        m.Http.When(HttpMethod.Get, "*").Respond(_ => Answer(400, """{"__type":"ResourceNotFoundException","code":"PreconditionFailedException","Message":"gone"}""", edit: r => r.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ConflictException:http://internal.amazon.com/coral/")));
        m.Http.When(HttpMethod.Delete, "*").Respond(_ => Answer(400, """{"__type":"aws.lex#ResourceNotFoundException","code":"PreconditionFailedException","message":"stale"}"""));
        m.Http.When(HttpMethod.Put, "*").Respond(_ => Answer(400, """{"__type":"com.amazonaws.lexmodelsv2#ResourceNotFoundException","message":"none"}"""));

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));
        var stale = await Assert.ThrowsAsync<PreconditionFailedException>(() => m.Client.DeleteResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => m.Client.UpdateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = Fixtures.Policy }));

        Assert.Contains("gone", conflict.Message);
        Assert.Contains("stale", stale.Message);
        Assert.Contains("none", missing.Message);
    }

    [Theory]
    [InlineData(400, "RequestTimeout")]
    [InlineData(408, "RequestTimeoutException")]
    [InlineData(400, "PriorRequestNotComplete")]
    public async Task TransientErrorCodes_AreRetriedLikeServerErrors(int status, string code)
    {
        using var m = new MockClient(o => { o.BaseRetryDelay = TimeSpan.FromMilliseconds(1); o.MaxRetryDelay = TimeSpan.FromMilliseconds(1); });
        int n = 0;
        m.Http.When("*").Respond(_ => ++n == 1 ? Answer(status, $$"""{"__type":"{{code}}","message":"try again"}""") : Answer(200, """{"revisionId":"4"}"""));

        Task<DescribeResourcePolicyResponse> call = m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn });
        for (int i = 0; i < 200 && !call.IsCompleted; i++)
        {
            await Task.Delay(5);
            m.Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal("4", (await call).RevisionId);
        Assert.Equal(2, n);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_IsAnErrorNamingWhereItPointed(int status)
    {
        using var m = new MockClient();
        int n = 0;
        m.Http.When("*").Respond(_ =>
        {
            n++;
            var r = Answer(status, "", "text/plain");
            r.Headers.Location = new Uri("https://attacker.example.net:8443/steal");
            return r;
        });

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal(status, (int)e.StatusCode);
        Assert.Equal("Redirect", e.ErrorCode);
        Assert.Contains("attacker.example.net:8443", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, n);
    }

    [Fact]
    public async Task Throttling_CarriesRetryAfterFromHeader()
    {
        using var m = NoRetryClient();
        m.Http.When("*").Respond(_ => Answer(429, """{"message":"slow down"}""", edit: r => r.Headers.TryAddWithoutValidation("Retry-After", "7")));

        var e = await Assert.ThrowsAsync<ThrottlingException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
    }

    [Theory]
    [InlineData(403, "InvalidSignatureException", "signature")]
    [InlineData(403, "UnrecognizedClientException", "access key")]
    [InlineData(403, "ExpiredTokenException", "expired")]
    [InlineData(403, "AccessDeniedException", "lex:DescribeResourcePolicy")]
    [InlineData(400, "AccessDeniedException", "lex:DescribeResourcePolicy")]
    [InlineData(400, "IncompleteSignature", "signature")]
    public async Task UnmodelledAuthErrors_BecomeBaseExceptionWithCodeAndHint(int status, string code, string hint)
    {
        using var m = NoRetryClient();
        m.Http.When("*").Respond(_ => Answer(status, $$"""{"__type":"{{code}}","message":"denied"}"""));

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal(code, e.ErrorCode);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Equal("req-123", e.RequestId);
        Assert.Contains(hint, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("denied", e.ResponseExcerpt);
    }

    [Theory]
    [InlineData(502, "<html><body>Bad Gateway</body></html>", "text/html")]
    [InlineData(503, "", "text/plain")]
    [InlineData(400, "{\"__type\": \"Validat", "application/json")]
    [InlineData(418, "[1,2,", "application/json")]
    public async Task ProxyHtmlEmptyOrTruncatedBodies_BecomeBaseOrStatusTypedExceptionWithExcerpt(int status, string body, string contentType)
    {
        using var m = NoRetryClient();
        m.Http.When("*").Respond(_ => Answer(status, body, contentType));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Equal("req-123", e.RequestId);
        if (body.Length > 0)
        {
            Assert.NotNull(e.ResponseExcerpt);
            Assert.StartsWith(body[..5], e.ResponseExcerpt);
        }

        if (status is 502 or 503 or 418)
        {
            Assert.Equal(typeof(LexPolicyException), e.GetType());
        }
    }

    [Theory]
    [InlineData("{\"resourceArn\": 5}")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{\"resourceArn\":\"a\",")]
    public async Task UnreadableSuccessBody_IsTypedInvalidResponse(string body)
    {
        using var m = NoRetryClient();
        m.Http.When("*").Respond("application/json", body);

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal("InvalidResponse", e.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
    }

    [Fact]
    public async Task HugeErrorBody_IsCappedAndStillMapped()
    {
        using var m = NoRetryClient();
        string huge = """{"__type":"ValidationException","message":"x"}""" + new string(' ', 5_000_000);
        m.Http.When("*").Respond(_ => Answer(400, huge));

        var e = await Assert.ThrowsAsync<ValidationException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Equal("ValidationException", e.ErrorCode);
    }

    [Fact]
    public void Exceptions_AndResponses_CanBeConstructedByConsumers()
    {
        LexPolicyException[] all =
        [
            new ValidationException("v"), new ServiceQuotaExceededException("q"), new ResourceNotFoundException("n"),
            new ConflictException("c"), new PreconditionFailedException("p"), new ThrottlingException("t", TimeSpan.FromSeconds(1)),
            new InternalServerException("i"), new LexPolicyException("x", HttpStatusCode.Forbidden, "AccessDeniedException", "id"),
        ];
        Assert.Equal([400, 402, 404, 409, 412, 429, 500, 403], all.Select(e => (int)e.StatusCode));
        Assert.Equal("2", new CreateResourcePolicyStatementResponse { RevisionId = "2" }.RevisionId);
        Assert.Equal("p", new DescribeResourcePolicyResponse { Policy = "p" }.Policy);
    }
}
