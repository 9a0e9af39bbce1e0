using System.Net;
using System.Text;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Signatures are checked on what went over the wire. Served: requests signed by AWSSDK.Core's public signer and sent
/// through a real socket as exact header lines (repeated lines, runs of spaces, content types as some SDKs write them) are
/// accepted, and deliberately wrong signatures are rejected. In memory: a client bug that gives 403 over a socket gives
/// 403 in memory too, because the emulator derives the wire form the way .NET's HTTP stack writes it.
/// </summary>
public class WireSigningTests
{
    /// <summary>(case, header lines sent as they are, the values AWSSDK.Core's signer is given).</summary>
    public static TheoryData<string, string[], string[]> ConformingRequests => new()
    {
        { "content type without a space", ["Content-Type: application/json;charset=UTF-8"], ["Content-Type=application/json;charset=UTF-8"] },
        { "repeated header lines", ["Content-Type: application/json", "x-amz-meta-list: a", "x-amz-meta-list: b"], ["Content-Type=application/json", "x-amz-meta-list=a,b"] },
        { "runs of spaces and padding", ["Content-Type: application/json", "x-amz-meta-note:   a    b   c  "], ["Content-Type=application/json", "x-amz-meta-note=a    b   c"] },
        { "a multi-value line", ["Content-Type: application/json", "X-Amz-Meta-List: a, b,  c"], ["Content-Type=application/json", "x-amz-meta-list=a, b,  c"] },
    };

    /// <summary>(case, header lines sent, the values given to the signer: wrong on purpose).</summary>
    public static TheoryData<string, string[], string[]> WronglySignedRequests => new()
    {
        { "multi-value line signed without the space", ["Content-Type: application/json", "x-amz-meta-list: a, b"], ["Content-Type=application/json", "x-amz-meta-list=a,b"] },
        { "host signed without the port", ["Content-Type: application/json"], ["Content-Type=application/json", "Host=127.0.0.1"] },
        { "content type signed as another SDK would format it", ["Content-Type: application/json;charset=UTF-8"], ["Content-Type=application/json; charset=UTF-8"] },
    };

    [Theory]
    [MemberData(nameof(ConformingRequests))]
    public async Task Served_RequestSignedByAwsSdkCore_OverARealSocket_IsAccepted(string name, string[] lines, string[] signedValues)
    {
        await using var served = await ServedEmulator.StartAsync(TimeSpan.FromMinutes(1));
        var answer = await SendSignedAsync(served.Endpoint, "Sid" + Math.Abs(name.GetHashCode(StringComparison.Ordinal)), lines, signedValues);
        Assert.True(answer is { Status: 200 }, $"{name}: {answer?.StatusLine} {answer?.Text}");
    }

    [Theory]
    [MemberData(nameof(WronglySignedRequests))]
    public async Task Served_WronglySignedRequest_OverARealSocket_IsInvalidSignature(string name, string[] lines, string[] signedValues)
    {
        await using var served = await ServedEmulator.StartAsync(TimeSpan.FromMinutes(1));
        var answer = await SendSignedAsync(served.Endpoint, "Wrong", lines, signedValues);
        Assert.True(answer is { Status: 403 }, $"{name}: {answer?.StatusLine} {answer?.Text}");
        Assert.StartsWith("InvalidSignatureException", answer!.Header("x-amzn-ErrorType"), StringComparison.Ordinal);
    }

    /// <summary>(case, headers the client adds to its request message, canonical values it signs, accepted?).</summary>
    public static TheoryData<string, string[], string[], bool> ClientSigners => new()
    {
        { "multi-value header signed joined with ','", ["x-amz-meta-list=a", "x-amz-meta-list=b"], ["x-amz-meta-list=a,b"], false },
        { "multi-value header signed joined with ', '", ["x-amz-meta-list=a", "x-amz-meta-list=b"], ["x-amz-meta-list=a, b"], true },
        { "User-Agent products signed joined with ','", ["User-Agent=lexv2/1.0", "User-Agent=os/linux"], ["user-agent=lexv2/1.0,os/linux"], false },
        { "User-Agent products signed joined with ' '", ["User-Agent=lexv2/1.0", "User-Agent=os/linux"], ["user-agent=lexv2/1.0 os/linux"], true },
        { "Accept values signed joined with ','", ["Accept=application/json", "Accept=text/plain"], ["accept=application/json,text/plain"], false },
        { "host signed without the port", [], ["host=127.0.0.1"], false },
    };

    [Theory]
    [MemberData(nameof(ClientSigners))]
    public async Task ClientSigningBug_GetsTheSameAnswer_InMemoryAsOverASocket(string name, string[] headers, string[] signedValues, bool accepted)
    {
        await using var served = await ServedEmulator.StartAsync(TimeSpan.FromMinutes(1));
        using var overSocket = new HttpClient();
        using var inMemory = new HttpClient(new LexPolicyEmulator());

        HttpStatusCode socketStatus = await SendAsync(overSocket);
        HttpStatusCode memoryStatus = await SendAsync(inMemory);

        var expected = accepted ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden; // accepted: the bot has no policy yet
        Assert.True((expected, expected) == (socketStatus, memoryStatus), $"{name}: over a socket {socketStatus}, in memory {memoryStatus}, expected {expected}");

        async Task<HttpStatusCode> SendAsync(HttpClient http)
        {
            string path = TestSigning.PolicyPath();
            var uri = new Uri(served.Endpoint, path);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (string h in headers)
            {
                request.Headers.TryAddWithoutValidation(h[..h.IndexOf('=', StringComparison.Ordinal)], h[(h.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            }

            var canonical = signedValues.Select(Split).ToList();
            if (!canonical.Any(c => c.Name == "host"))
            {
                canonical.Add(("host", uri.Authority));
            }

            var (amzDate, authorization) = TestSigning.SpecSign("GET", path, canonical, []);
            request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
    }

    internal static (string Name, string Value) Split(string nameValue) =>
        (nameValue[..nameValue.IndexOf('=', StringComparison.Ordinal)], nameValue[(nameValue.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    /// <summary>POSTs a statement with exactly <paramref name="lines"/>, signed by AWSSDK.Core with <paramref name="signed"/> (Host added unless given).</summary>
    internal static async Task<RawHttp.Answer?> SendSignedAsync(Uri endpoint, string sid, string[] lines, string[] signedValues)
    {
        string path = TestSigning.StatementsPath();
        byte[] body = TestSigning.StatementBody(sid);
        var uri = new Uri(endpoint, path);
        var values = signedValues.Select(Split).ToDictionary(s => s.Name, s => s.Value, StringComparer.OrdinalIgnoreCase);
        values.TryAdd("Host", uri.Authority);
        var auth = await TestSigning.AwsSdkSignAsync(HttpMethod.Post, uri, values, body);
        var head = new StringBuilder($"POST {path} HTTP/1.1\r\nHost: {uri.Authority}\r\n");
        foreach (string line in lines)
        {
            head.Append(line).Append("\r\n");
        }

        foreach (var (name, value) in auth)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        return await RawHttp.SendAsync(endpoint, head.ToString(), body);
    }
}
