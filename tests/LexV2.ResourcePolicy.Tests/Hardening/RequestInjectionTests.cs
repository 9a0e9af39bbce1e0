using CsCheck;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Hardening;

/// <summary>CR/LF, path and query tricks in ARNs and statement ids cannot change the request line or add headers.</summary>
public class RequestInjectionTests
{
    private static readonly Gen<string> Tricky = Gen.OneOf(
        Gen.String[Gen.Char, 1, 40],
        Gen.String[Gen.OneOfConst('\r', '\n', '/', '.', '?', '#', '%', ' ', ':', '&', '=', '+', 'é', '\u2028', '\0', 'a', 'Z', '9'), 1, 30],
        Gen.OneOfConst("../../x", "a\r\nX-Injected: 1", "?expectedRevisionId=1", "#frag", "%2F%2E%2E", "..", "%", "a/b"));

    [Fact]
    public async Task TrickyLabels_StayInsideTheirPathSegments_AndAddNoHeaders()
    {
        using var m = new MockClient(o => o.ValidateRequests = false);
        HttpRequestMessage? seen = null;
        m.Http.When("*").With(r => { seen = r; return true; }).Respond(System.Net.HttpStatusCode.NoContent);

        await Gen.Select(Tricky, Tricky).SampleAsync(
            async pair =>
            {
                var (arn, sid) = pair;
                seen = null;
                await m.Client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = arn, StatementId = sid });

                Uri uri = seen!.RequestUri!;
                string path = uri.AbsolutePath;
                Assert.Equal("models-v2-lex.us-east-1.amazonaws.com", uri.Host);
                Assert.Equal(string.Empty, uri.Query);
                Assert.Equal(string.Empty, uri.Fragment);
                string[] segments = path.Split('/');
                Assert.Equal(6, segments.Length); // "", policy, {arn}, statements, {sid}, ""
                Assert.Equal(["", "policy"], segments[..2]);
                Assert.Equal("statements", segments[3]);
                Assert.Equal(arn, Uri.UnescapeDataString(segments[2]));
                Assert.Equal(sid, Uri.UnescapeDataString(segments[4]));
                Assert.DoesNotContain(uri.AbsoluteUri, c => c is '\r' or '\n' or ' ' or '#');
                Assert.Equal(
                    ["Authorization", "User-Agent", "X-Amz-Content-SHA256", "X-Amz-Date"],
                    seen.Headers.Select(h => h.Key).Order(StringComparer.OrdinalIgnoreCase));
            },
            iter: 2000,
            threads: 1);
    }

    [Fact]
    public async Task ExpectedRevisionId_CannotAddQueryParameters()
    {
        using var m = new MockClient(o => o.ValidateRequests = false);
        Uri? uri = null;
        m.Http.When("*").With(r => { uri = r.RequestUri; return true; }).Respond(System.Net.HttpStatusCode.NoContent);

        await m.Client.DeleteResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, ExpectedRevisionId = "1&admin=true#x" });

        Assert.Equal("?expectedRevisionId=1%26admin%3Dtrue%23x", uri!.Query);
    }
}
