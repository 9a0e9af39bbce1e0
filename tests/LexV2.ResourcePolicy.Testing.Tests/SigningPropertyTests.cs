using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using CsCheck;
using LexV2.ResourcePolicy.Signing;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Random requests signed by <see cref="AwsSigV4Handler"/> (AWSSDK.Core's signer behind it) and sent through a real socket to the
/// served emulator, whose verifier is written independently from the SigV4 specification and reads the header lines and request
/// target as received: every one must be accepted (any answer but 403). Header names, repeated and multi-valued headers, runs
/// of spaces, unicode and reserved characters in path labels and query values, IPv4, IPv6 and name hosts with ports. Query
/// parameter names stay in the unreserved set, the handler's documented limit.
/// </summary>
public class SigningPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly BasicAWSCredentials Credentials = new(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey);

    private static readonly Gen<char> VisibleOrSpace = Gen.Char[' ', '~'];

    /// <summary>Values as a header carries them: visible ASCII, with runs of spaces inside and around.</summary>
    private static readonly Gen<string> HeaderValue = Gen.OneOf(
        Gen.String[VisibleOrSpace, 1, 24].Where(v => v.Trim().Length > 0),
        Gen.Select(Gen.String[Gen.Char['a', 'z'], 1, 6], Gen.Int[2, 6], Gen.String[Gen.Char['a', 'z'], 1, 6]).Select((a, n, b) => a + new string(' ', n) + b),
        Gen.OneOfConst("a,b", "a, b,  c", "\"quoted, value\"", "x=1; y=2", "   padded   "));

    private static readonly Gen<string> HeaderName = Gen.Select(Gen.OneOfConst("x-amz-meta-", "x-t-", "X-Custom-"), Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 1, 10])
        .Select((prefix, name) => prefix + name.Trim('-') + "h");

    /// <summary>Path labels and query values: letters, reserved and unicode characters (valid UTF-16 only).</summary>
    private static readonly Gen<string> Label = Gen.OneOf(
        Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c) && c != '\0'), 1, 16],
        Gen.String[Gen.OneOfConst(':', '/', '?', '#', '[', ']', '@', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', '%', ' ', '~', '.', '-', '_', 'é', 'ß', '中', 'a', 'Z', '9'), 1, 20],
        Gen.OneOfConst("😀", "a😀b", "..", ".", "%2F", "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID"));

    /// <summary>
    /// Query parameter names in the unreserved set: AWSSDK.Core sorts parameters by their decoded names, the specification by
    /// the encoded ones, and the two orders differ only for names with other characters (a documented limit of the handler).
    /// </summary>
    private static readonly Gen<string> QueryName = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"], 1, 12];

    private sealed record RandomRequest(string Method, string Path, string Query, (string Name, string[] Values)[] Headers, string? Body)
    {
        public override string ToString() => $"{Method} {Path}{Query} [{string.Join("; ", Headers.Select(h => h.Name + "=" + string.Join("|", h.Values)))}] body={Body}";
    }

    private const string SeededArn = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";

    private static readonly Gen<RandomRequest> Requests = Gen.Select(
        Gen.OneOfConst("GET", "POST", "PUT", "DELETE"),
        Gen.Frequency((3, Label), (1, Gen.Const(SeededArn))),
        Label,
        Gen.Bool,
        Gen.Select(QueryName, Label).Array[0, 3],
        Gen.Select(HeaderName, HeaderValue.Array[1, 3]).Array[0, 5],
        Gen.String[VisibleOrSpace, 0, 40])
        .Select((method, arn, sid, statements, query, headers, body) => new RandomRequest(
            method,
            "/policy/" + Uri.EscapeDataString(arn) + (statements ? "/statements/" + Uri.EscapeDataString(sid) + "/" : "/"),
            query.Length == 0 ? string.Empty : "?" + string.Join("&", query.DistinctBy(q => q.Item1).Select(q => Uri.EscapeDataString(q.Item1) + "=" + Uri.EscapeDataString(q.Item2))),
            [.. headers.DistinctBy(h => h.Item1.ToUpperInvariant()).Select(h => (h.Item1, h.Item2))],
            method is "POST" or "PUT" ? "{\"policy\":" + System.Text.Json.JsonSerializer.Serialize(body) + "}" : null));

    public static TheoryData<string> Hosts => new() { "127.0.0.1", "[::1]", "localhost" };

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task RandomRequests_SignedByTheHandler_AreAcceptedByTheServedEmulatorOverASocket(string host)
    {
        if (host == "[::1]" && !Socket.OSSupportsIPv6)
        {
            output.WriteLine("Not run: no IPv6 on this machine.");
            return;
        }

        var emulator = new LexPolicyEmulator();
        emulator.SeedPolicy(SeededArn, $$"""{"Version":"2012-10-17","Statement":[{"Sid":"Seed","Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":"lex:RecognizeText","Resource":"{{SeededArn}}"}]}""", revision: 1);
        await using var server = LexPolicyEmulatorServer.Start(emulator, new LexPolicyEmulatorServerOptions { Address = host == "[::1]" ? IPAddress.IPv6Loopback : IPAddress.Loopback });
        var origin = new Uri($"http://{host}:{server.Endpoint.Port}");
        using var http = new HttpClient(new AwsSigV4Handler(Credentials, "us-east-1", "lex") { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false } });
        int sent = 0;
        var statuses = new Dictionary<int, int>();

        await Requests.SampleAsync(
            async r =>
            {
                using var request = new HttpRequestMessage(new HttpMethod(r.Method), new Uri(origin, r.Path + r.Query));
                foreach (var (name, values) in r.Headers)
                {
                    Assert.True(request.Headers.TryAddWithoutValidation(name, values));
                }

                if (r.Body is not null)
                {
                    request.Content = new StringContent(r.Body, Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request);
                string text = await response.Content.ReadAsStringAsync();
                sent++;
                statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                Assert.True(response.StatusCode != HttpStatusCode.Forbidden, $"{r}\n=> {(int)response.StatusCode} {text}");
            },
            iter: 250,
            threads: 1);

        output.WriteLine($"{sent} requests to {origin}: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        Assert.Equal(250, sent);
        Assert.Contains(statuses.Keys, s => s is >= 200 and < 300); // some were valid Lex requests, not only rejections
    }
}
