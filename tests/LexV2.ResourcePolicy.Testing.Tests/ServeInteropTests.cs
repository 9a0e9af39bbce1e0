using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Serve mode accepts requests signed the way other AWS SDKs sign them: here with AWSSDK.Core's own signer (not this project's),
/// signing extra headers the Go and Java SDKs sign (content-length, amz-sdk-invocation-id), and with no trailing slash.
/// </summary>
public class ServeInteropTests
{
    [Fact]
    public async Task RequestsSignedByAnotherSigner_WithExtraSignedHeaders_AreAccepted()
    {
        var served = await ServedEmulator.StartAsync(TimeSpan.FromMinutes(2));
        Uri endpoint = served.Endpoint;
        const string alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
        var credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey);
        using var http = new HttpClient();

        async Task<HttpStatusCode> SendAsync(HttpMethod method, string pathAndQuery, string? body)
        {
            var uri = new Uri(endpoint, pathAndQuery);
            byte[] bytes = body is null ? [] : System.Text.Encoding.UTF8.GetBytes(body);
            var toSign = new AWSSigningRequest { HttpMethod = method, RequestUri = uri, Content = bytes };
            toSign.Headers["Host"] = uri.Authority;
            toSign.Headers["Content-Length"] = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            toSign.Headers["amz-sdk-invocation-id"] = "6a1f4c1e-0d6b-4d8e-9d7e-1a2b3c4d5e6f";
            if (body is not null)
            {
                toSign.Headers["Content-Type"] = "application/json";
            }

            var signed = await AWSSigV4Signer.SignAsync(toSign, new AWSSigV4Parameters { Credentials = credentials, Region = Amazon.RegionEndpoint.USEast1, Service = "lex", SignPayload = true }, CancellationToken.None);
            using var request = new HttpRequestMessage(method, uri) { Content = new ByteArrayContent(bytes) };
            if (body is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            }

            request.Headers.TryAddWithoutValidation("amz-sdk-invocation-id", toSign.Headers["amz-sdk-invocation-id"]);
            foreach (var (name, value) in signed.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        string path = "/policy/" + Uri.EscapeDataString(alias);
        var created = await SendAsync(HttpMethod.Post, path + "/statements", """{"statementId":"Role","effect":"Allow","principal":[{"arn":"arn:aws:iam::123456789012:role/app"}],"action":["lex:RecognizeText"]}""");
        var described = await SendAsync(HttpMethod.Get, path, null);
        var deleted = await SendAsync(HttpMethod.Delete, path + "/statements/Role?expectedRevisionId=1", null);

        await served.DisposeAsync();
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NoContent), (created, described, deleted));
    }
}
