using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LexV2.ResourcePolicy.Testing.Tests;

public class TransportSecurityTests
{
    [Fact]
    public async Task UntrustedCertificate_IsRejected_NotRetried_AndNothingIsAnswered()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var generated = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pfx), null);
        int served = 0;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        await using var app = builder.Build();
        app.Run(context => { Interlocked.Increment(ref served); return context.Response.WriteAsync("{}"); });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        using var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = new Uri($"https://127.0.0.1:{address.Port}/"),
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "secret"),
        });

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ" }));

        Assert.Equal("RequestFailed", e.ErrorCode);
        Assert.Equal(1, e.Attempts);
        Assert.Equal(0, served);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("cn-north-1")]
    [InlineData("us-gov-west-1")]
    public void RegionalEndpoints_AreAlwaysHttps(string region)
    {
        using var client = new LexPolicyClient(new LexPolicyClientOptions { Region = region, Credentials = new BasicAWSCredentials("a", "b") });
        Assert.Equal(Uri.UriSchemeHttps, client.Endpoint.Scheme);
    }
}
