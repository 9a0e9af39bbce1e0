using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// The one-time start-up of the last steps of a process's first call (AWSSDK.Core's region table and SigV4 signer, and reading a
/// Lex answer), begun on a thread-pool thread when the process builds its first client, so that it runs while the caller's own
/// thread builds the client's retry pipeline, validates and serializes the first request and connects. It signs a made-up request
/// with made-up keys (nothing is sent, no credentials are read) and parses a canned answer; once per process, and a failure
/// only means the first call does that work itself.
/// </summary>
internal static class StartupWarmer
{
    private static int s_started;

    public static void Start(string region, string service)
    {
        if (Interlocked.Exchange(ref s_started, 1) != 0 || !Endpoints.LexEndpoint.IsValidRegion(region))
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state => Run(state.Region, state.Service), (Region: region, Service: service), preferLocal: false);
    }

    private static void Run(string region, string service)
    {
        try
        {
            var request = new AWSSigningRequest
            {
                HttpMethod = HttpMethod.Post,
                RequestUri = new Uri("https://models-v2-lex." + region + ".amazonaws.com/policy/warm-up/statements/"),
                Content = "{}"u8.ToArray(),
            };
            request.Headers["Host"] = request.RequestUri.Host;
            request.Headers["Content-Type"] = "application/json";
            _ = AWSSigV4Signer.Sign(request, new AWSSigV4Parameters
            {
                Credentials = new BasicAWSCredentials("AKIDWARMUPEXAMPLE", "warm-up-example-secret-not-a-key"),
                Region = RegionEndpoint.GetBySystemName(region),
                Service = service,
                SignPayload = true,
                SignedAt = DateTime.UtcNow,
            });
            _ = System.Text.Json.JsonSerializer.Deserialize("""{"resourceArn":"warm-up","revisionId":"1"}"""u8, Http.LexJsonContext.Default.CreateResourcePolicyStatementResponse);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only a head start: the first call does whatever this could not.
        }
    }
}
