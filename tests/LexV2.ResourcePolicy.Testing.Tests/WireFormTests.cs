using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// In memory the emulator derives the wire form of a request the way .NET's SocketsHttpHandler writes it: checked here against
/// the bytes SocketsHttpHandler really sends for the same request (multi-value headers, User-Agent, Cookie, Host for IPv6 and
/// non-default ports, Host set explicitly, content headers, bodiless POST, chunked bodies). And over IPv6 loopback the served
/// emulator accepts requests signed by AWSSDK.Core's signer.
/// </summary>
public class WireFormTests
{
    public static TheoryData<string> Requests => new() { "multi-value", "user-agent-and-cookie", "explicit-host", "bodiless-post", "delete", "chunked", "padded", "ipv6" };

    private static HttpRequestMessage Build(string name, Uri endpoint)
    {
        var uri = new Uri(endpoint, TestSigning.PolicyPath() + "?expectedRevisionId=1");
        switch (name)
        {
            case "multi-value":
                var m = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                m.Headers.TryAddWithoutValidation("x-amz-meta-list", ["a", "b  c"]);
                m.Headers.TryAddWithoutValidation("X-Custom", "v1");
                m.Headers.TryAddWithoutValidation("x-custom", "v2");
                m.Headers.TryAddWithoutValidation("Accept", ["application/json", "text/plain"]);
                m.Headers.TryAddWithoutValidation("Via", ["1.1 a", "1.1 b"]);
                m.Content.Headers.TryAddWithoutValidation("Content-Language", ["en", "de"]);
                return m;
            case "user-agent-and-cookie":
                var u = new HttpRequestMessage(HttpMethod.Get, uri);
                u.Headers.TryAddWithoutValidation("User-Agent", ["aws-sdk/1", "os/linux", "lang/net"]);
                u.Headers.TryAddWithoutValidation("Cookie", ["a=1", "b=2"]);
                return u;
            case "explicit-host":
                var h = new HttpRequestMessage(HttpMethod.Get, uri);
                h.Headers.Host = "models-v2-lex.us-east-1.amazonaws.com";
                return h;
            case "bodiless-post":
                return new HttpRequestMessage(HttpMethod.Post, uri);
            case "delete":
                var d = new HttpRequestMessage(HttpMethod.Delete, uri);
                d.Headers.ConnectionClose = true;
                return d;
            case "chunked":
                return new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StreamContent(new MemoryStream([1, 2, 3])) };
            case "padded":
                var p = new HttpRequestMessage(HttpMethod.Get, uri);
                p.Headers.TryAddWithoutValidation("x-amz-meta-note", "  lead  and trail  ");
                return p;
            default:
                return new HttpRequestMessage(HttpMethod.Get, uri);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Requests))]
    public async Task InMemoryWireForm_IsWhatSocketsHttpHandlerWrites(string name)
    {
        bool v6 = name == "ipv6";
        Skip.If(v6 && !Ipv6LoopbackAvailable(), "IPv6 loopback (::1) is not available on this machine");
        using var listener = new TcpListener(v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = new Uri(v6 ? $"http://[::1]:{((IPEndPoint)listener.LocalEndpoint).Port}/" : $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");

        using var sent = Build(name, endpoint);
        using var http = new HttpClient();
        Task<HttpResponseMessage> sending = http.SendAsync(sent);
        using var socket = await listener.AcceptSocketAsync();
        string head = await ReadHeadAsync(socket);
        await socket.SendAsync("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"u8.ToArray());
        (await sending).Dispose();

        string[] received = head.Split("\r\n");
        using var again = Build(name, endpoint);
        var derived = await InMemoryWireForm.FromMessageAsync(again, null, CancellationToken.None);

        Assert.Equal(received[0], derived.Method + " " + derived.Target + " HTTP/1.1");
        Assert.Equal(received.Skip(1).Select(Line), derived.Lines.Select(l => $"{l.Key}: {l.Value}"));
    }

    [SkippableFact]
    public async Task Ipv6Loopback_RequestSignedByAwsSdkCore_IsAccepted_AndAWrongHostIsNot()
    {
        Skip.IfNot(Ipv6LoopbackAvailable(), "IPv6 loopback (::1) is not available on this machine");
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { Address = IPAddress.IPv6Loopback });
        Assert.StartsWith("http://[::1]:", server.Endpoint.ToString(), StringComparison.Ordinal);

        var accepted = await WireSigningTests.SendSignedAsync(server.Endpoint, "V6", ["Content-Type: application/json", "x-amz-meta-list: a", "x-amz-meta-list: b"], ["Content-Type=application/json", "x-amz-meta-list=a,b"]);
        var withoutBrackets = await WireSigningTests.SendSignedAsync(server.Endpoint, "V6b", ["Content-Type: application/json"], ["Content-Type=application/json", $"Host=::1:{server.Endpoint.Port}"]);

        Assert.True(accepted is { Status: 200 }, accepted?.Text);
        Assert.Equal(403, withoutBrackets!.Status);
    }

    internal static bool Ipv6LoopbackAvailable()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A header line as the verifier sees it: the name as sent, the value without its surrounding whitespace.</summary>
    private static string Line(string line)
    {
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        return line[..colon] + ": " + line[(colon + 1)..].Trim(' ', '\t');
    }

    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        byte[] buffer = new byte[64 * 1024];
        int n = 0;
        while (true)
        {
            n += await socket.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None);
            string text = Encoding.Latin1.GetString(buffer, 0, n);
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }
    }
}
