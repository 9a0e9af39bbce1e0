using System.Text;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Benchmarks.FirstCall;

/// <summary>
/// The one create+delete statement pair every benchmark client sends, against the canned loopback server (which verifies
/// nothing), as the library's requests; <see cref="BareWorkload"/> has the same pair pre-built for a bare <see cref="HttpClient"/>.
/// </summary>
public static class Workload
{
    public const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    public const string StatementId = "AllowConnect";
    public const string Region = "us-east-1";

    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    public static LexPolicyClientOptions Options(Uri endpoint) => new()
    {
        Region = Region,
        ServiceUrl = endpoint,
        Credentials = Credentials,
    };

    public static CreateResourcePolicyStatementRequest Create { get; } = new()
    {
        ResourceArn = Alias,
        StatementId = StatementId,
        Effect = Effect.Allow,
        Principal = [Principal.ForService("connect.amazonaws.com")],
        Action = ["lex:RecognizeText", "lex:StartConversation"],
        Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012" },
            ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555" },
        },
    };

    public static DeleteResourcePolicyStatementRequest Delete { get; } = new() { ResourceArn = Alias, StatementId = StatementId };

    /// <summary>Sends the pair through the library's client.</summary>
    public static async Task PairAsync(ILexPolicyClient client)
    {
        await client.CreateResourcePolicyStatementAsync(Create);
        await client.DeleteResourcePolicyStatementAsync(Delete);
    }

}

/// <summary>
/// The bare <see cref="HttpClient"/> baseline: the same two requests as <see cref="Workload"/>, built once, with fixed headers
/// and no signing. Apart from <see cref="Workload"/> so that the bare cold-start child loads nothing of the library or AWSSDK.Core.
/// </summary>
public static class BareWorkload
{
    /// <summary>Path of the create request (the ARN as one percent-encoded segment, as the library sends it).</summary>
    public static string CreatePath { get; } = "/policy/" + Uri.EscapeDataString(Workload.Alias) + "/statements/";

    /// <summary>Path of the delete request.</summary>
    public static string DeletePath { get; } = CreatePath + Workload.StatementId + "/";

    /// <summary>The create body: the bytes the library sends for <see cref="Workload.Create"/> (captured once).</summary>
    public static byte[] CreateBody { get; } = Encoding.UTF8.GetBytes(
        """{"action":["lex:RecognizeText","lex:StartConversation"],"condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnEquals":{"aws:SourceArn":"arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"}},"effect":"Allow","principal":[{"service":"connect.amazonaws.com"}],"statementId":"AllowConnect"}""");

    /// <summary>Headers of the size and kind the library's signed requests carry, fixed (the server verifies nothing).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FixedHeaders { get; } =
    [
        new("User-Agent", "LexV2.ResourcePolicy.Benchmarks/bare dotnet/10.0"),
        new("X-Amz-Date", "20250101T000000Z"),
        new("X-Amz-Content-SHA256", new string('0', 64)),
        new("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/lex/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=" + new string('0', 64)),
    ];

    /// <summary>A bare client over its own <see cref="SocketsHttpHandler"/>.</summary>
    public static HttpClient CreateBareClient(Uri endpoint) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = endpoint };

    /// <summary>Sends the pair through a bare client: pre-built body, fixed headers, status checked, body read.</summary>
    public static async Task BarePairAsync(HttpClient http)
    {
        using (var create = new HttpRequestMessage(HttpMethod.Post, CreatePath))
        {
            create.Content = new ByteArrayContent(CreateBody);
            create.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            AddFixedHeaders(create);
            using var response = await http.SendAsync(create);
            response.EnsureSuccessStatusCode();
        }

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, DeletePath))
        {
            AddFixedHeaders(delete);
            using var response = await http.SendAsync(delete);
            response.EnsureSuccessStatusCode();
        }
    }

    private static void AddFixedHeaders(HttpRequestMessage request)
    {
        foreach (var (name, value) in FixedHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
