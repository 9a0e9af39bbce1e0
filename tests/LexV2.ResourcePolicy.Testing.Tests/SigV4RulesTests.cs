using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>SigV4 rules as strict as AWS states them: host and x-amz-date must be signed, the declared payload hash must match.</summary>
public class SigV4RulesTests
{
    private readonly LexPolicyEmulator _emulator = new();

    private async Task<(HttpStatusCode Status, string? Code)> SendAsync(bool signHost = true, bool signDate = true, string? declaredHash = null, byte[]? body = null)
    {
        using var http = new HttpClient(_emulator);
        body ??= TestSigning.StatementBody("Rules");
        var uri = new Uri("https://models-v2-lex.us-east-1.amazonaws.com" + TestSigning.StatementsPath());
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        var canonical = new List<(string, string)> { ("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (signHost)
        {
            canonical.Add(("host", uri.Host));
        }

        if (declaredHash is not null)
        {
            canonical.Add(("x-amz-content-sha256", declaredHash));
            request.Headers.TryAddWithoutValidation("X-Amz-Content-SHA256", declaredHash);
        }

        var (amzDate, authorization) = TestSigning.SpecSign("POST", uri.AbsolutePath, canonical, body, signDate, declaredHash);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Headers.TryGetValues("x-amzn-ErrorType", out var v) ? v.Single().Split(':')[0] : null);
    }

    [Fact]
    public async Task CorrectlySigned_IsAccepted()
    {
        Assert.Equal((HttpStatusCode.OK, (string?)null), await SendAsync());
    }

    [Fact]
    public async Task XAmzDateSentButNotSigned_IsIncompleteSignature403()
    {
        Assert.Equal((HttpStatusCode.Forbidden, "IncompleteSignatureException"), await SendAsync(signDate: false));
        Assert.Null(_emulator.GetPolicy(TestSigning.Alias));
    }

    [Fact]
    public async Task HostNotSigned_IsInvalidSignature403()
    {
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), await SendAsync(signHost: false));
    }

    [Fact]
    public async Task DeclaredPayloadHashNotMatchingTheBody_IsInvalidSignature403_EvenWhenSigned()
    {
        string otherHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("{}"))).ToLowerInvariant();
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), await SendAsync(declaredHash: otherHash));
        Assert.Null(_emulator.GetPolicy(TestSigning.Alias));
    }

    [Fact]
    public async Task DeclaredPayloadHashMatchingTheBody_IsAccepted()
    {
        byte[] body = TestSigning.StatementBody("Rules");
        Assert.Equal((HttpStatusCode.OK, (string?)null), await SendAsync(declaredHash: Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant(), body: body));
    }
}
