using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests;

/// <summary>Fixed inputs shared by the tests: AWS's documented example key pair, a bot-alias ARN that needs encoding, a fixed clock.</summary>
internal static class Fixtures
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string Account = "123456789012";
    public const string AliasArn = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123";
    public const string EncodedAliasArn = "arn%3Aaws%3Alex%3Aus-east-1%3A123456789012%3Abot-alias%2FBOTID12345%2FALIASID123";
    public const string BotArn = "arn:aws:lex:us-east-1:123456789012:bot/BOTID12345";

    /// <summary>A policy document the client's validation accepts: one statement for a role of the account.</summary>
    public const string Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"lex:RecognizeText"}]}""";
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 36, 0, TimeSpan.Zero);

    public static BasicAWSCredentials Credentials => new(AccessKey, SecretKey);

    /// <summary><see cref="AliasArn"/> in another region (and that region's partition): a client only sends ARNs of the region it signs for.</summary>
    public static string AliasArnIn(string region) =>
        AliasArn.Replace("arn:aws:lex:us-east-1:", $"arn:{(region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws")}:lex:{region}:", StringComparison.Ordinal);

    public static CreateResourcePolicyStatementRequest ConnectGrant(string sid = "ConnectAccess") => new()
    {
        ResourceArn = AliasArn,
        StatementId = sid,
        Effect = Effect.Allow,
        Principal = [Principal.ForService("connect.amazonaws.com")],
        Action = ["lex:RecognizeText", "lex:StartConversation"],
        Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = Account },
            ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = "arn:aws:connect:us-east-1:123456789012:instance/abc" },
        },
    };
}

/// <summary>
/// A client over a MockHttp transport with a fake clock; what tests use to assert the wire. The transport tells the clock when
/// a request goes in and its answer comes out, so <see cref="TrackingClock.DriveAsync{T}"/> moves the clock only while the client
/// waits on it.
/// </summary>
internal sealed class MockClient : IDisposable
{
    private readonly Transport _transport;

    public MockClient(Action<LexPolicyClientOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        Time = new TrackingClock(Fixtures.Now) { AutoAdvanceAmount = TimeSpan.Zero };
        var options = new LexPolicyClientOptions { Region = "us-east-1", Credentials = Fixtures.Credentials };
        configure?.Invoke(options);
        _transport = new Transport(Time) { InnerHandler = Http };
        Client = new LexPolicyClient(options, _transport, loggerFactory, Time);
    }

    public MockHttpMessageHandler Http { get; } = new();

    /// <summary>A counter tests may use to record how many requests reached the transport.</summary>
    public int Sent;

    public TrackingClock Time { get; }

    public LexPolicyClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        _transport.Dispose();
        Http.Dispose();
    }

    /// <summary>The MockHttp handler, telling the clock when a request went in and its answer (or a failure) came out.</summary>
    private sealed class Transport(TrackingClock time) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            time.Sending();
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                time.Answered();
            }
        }
    }
}
