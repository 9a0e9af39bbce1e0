using Amazon.Runtime.Signing;
using LexV2.ResourcePolicy.Benchmarks.FirstCall;

namespace LexV2.ResourcePolicy.Benchmarks.Socket;

/// <summary>
/// The bare client plus what no Lex client can skip: each request signed with AWSSDK.Core's <see cref="AWSSigV4Signer"/> (the
/// signer the library delegates to), its headers added to the pre-built request. Library minus this row is the library's own
/// cost per call (validation, serialization, snapshot, retry pipeline, parsing, telemetry); this row minus the bare client is
/// what SigV4 on AWSSDK.Core costs on a socket.
/// </summary>
public static class SignedBareWorkload
{
    private static readonly Amazon.RegionEndpoint Region = Amazon.RegionEndpoint.GetBySystemName(Workload.Region);

    /// <summary>Sends the pair: pre-built body, each request signed as it goes, status checked, body read.</summary>
    public static async Task SignedPairAsync(HttpClient http)
    {
        using (var create = new HttpRequestMessage(HttpMethod.Post, new Uri(http.BaseAddress!, BareWorkload.CreatePath)))
        {
            create.Content = new ByteArrayContent(BareWorkload.CreateBody);
            create.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            Sign(create, BareWorkload.CreateBody, "application/json");
            using var response = await http.SendAsync(create);
            response.EnsureSuccessStatusCode();
        }

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, new Uri(http.BaseAddress!, BareWorkload.DeletePath)))
        {
            Sign(delete, [], null);
            using var response = await http.SendAsync(delete);
            response.EnsureSuccessStatusCode();
        }
    }

    private static void Sign(HttpRequestMessage request, byte[] body, string? contentType)
    {
        var toSign = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = request.RequestUri!, Content = body };
        toSign.Headers["Host"] = request.RequestUri!.Authority;
        if (contentType is not null)
        {
            toSign.Headers["Content-Type"] = contentType;
        }

        var result = AWSSigV4Signer.Sign(toSign, new AWSSigV4Parameters
        {
            Credentials = Workload.Credentials,
            Region = Region,
            Service = "lex",
            SignPayload = true,
            SignedAt = DateTime.UtcNow,
        });
        request.Headers.TryAddWithoutValidation("User-Agent", BareWorkload.FixedHeaders[0].Value);
        foreach (var (name, value) in result.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
