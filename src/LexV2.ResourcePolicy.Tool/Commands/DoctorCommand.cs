using System.CommandLine;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using LexV2.ResourcePolicy.Tool.Output;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy doctor [ARN]</c>: the region, endpoint, signing region and credential source the tool would use (the access key id
/// masked, never a secret), and whether a DescribeResourcePolicy on the ARN is authorized.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var arn = new Argument<string?>("ARN") { Description = "Check that DescribeResourcePolicy on this bot or bot alias is authorized.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("doctor", "Show the region, endpoint, signing region and credential source that would be used (never a secret), and check access to an ARN. Exit 1 when a check fails.") { arn };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            var connection = run.Connection();
            string? target = run.Get(arn) is { } given ? LexResourceArn.Parse(given).ToString() : null;
            var rows = new List<(string Name, string Value)>();
            bool ok = true;
            RegionalClients? clients = null;
            LexPolicyClient? client = null;
            try
            {
                try
                {
                    // With an ARN, the client is the one every command uses for it: its own region's.
                    client = target is null ? connection.CreateClient(run.Env) : (clients = run.CreateClients(target)).For(target);
                    rows.Add(("region", $"{client.SigningRegion} (from {RegionSource(connection, client, target)})"));
                    rows.Add(("endpoint", client.Endpoint.ToString()));
                    rows.Add(("endpoint source", connection.EndpointUrl is not null ? "--endpoint-url" : client.EndpointSource));
                    rows.Add(("signing region", client.SigningRegion));
                    rows.Add(("retry mode", $"{client.RetryMode.ToString().ToLowerInvariant()} (from {connection.RetryModeSource(client)})"));
                }
                catch (ToolException e)
                {
                    rows.Add(("region", "NONE: " + e.Message));
                    ok = false;
                }

                var (source, accessKey, credentialsOk) = await DescribeCredentialsAsync(connection, ct);
                ok &= credentialsOk;
                rows.Add(("credentials", source));
                rows.Add(("access key id", accessKey));
                if (target is not null && client is not null && credentialsOk)
                {
                    var (authorized, detail) = await CheckAsync(client, target, ct);
                    ok &= authorized;
                    rows.Add(("DescribeResourcePolicy", $"{target}: {detail}"));
                }
            }
            finally
            {
                if (clients is null)
                {
                    client?.Dispose();
                }

                clients?.Dispose();
            }

            if (run.Json)
            {
                JsonOut.Write(run.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("ok", ok);
                    foreach (var (name, value) in rows)
                    {
                        w.WriteString(JsonName(name), value);
                    }

                    w.WriteEndObject();
                });
            }
            else
            {
                int width = rows.Max(r => r.Name.Length) + 2;
                foreach (var (name, value) in rows)
                {
                    await run.Out.WriteLineAsync((name + ":").PadRight(width) + value);
                }
            }

            return ok ? ExitCodes.Success : ExitCodes.Error;
        });
        return command;
    }

    /// <summary>Where the region the client signs for came from, in words: the setting that gave it, not a guess.</summary>
    private static string RegionSource(Connection connection, LexPolicyClient client, string? arn) =>
        arn is not null ? "the ARN: a resource's policy lives in its own region"
        : connection.Region is not null ? connection.RegionSource
        : client.EndpointSource != Connection.RegionalEndpointSource && client.Endpoint.Host.Contains("." + client.SigningRegion + ".", StringComparison.Ordinal) ? "the endpoint's host name"
        : client.RegionSource == "none" ? "the default: no region is configured"
        : client.RegionSource;

    /// <summary>A row name as a camelCase JSON member: "signing region" becomes <c>signingRegion</c>.</summary>
    private static string JsonName(string name)
    {
        string[] words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(words[0]) + string.Concat(words.Skip(1).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }

    private static async Task<(string Source, string AccessKey, bool Ok)> DescribeCredentialsAsync(Connection connection, CancellationToken ct)
    {
        AWSCredentials credentials;
        string source = connection.CredentialSource;
        try
        {
            credentials = connection.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            if (connection.Credentials is null)
            {
                source = "AWS SDK default chain: " + credentials.GetType().Name;
            }

            var keys = await credentials.GetCredentialsAsync();
            ct.ThrowIfCancellationRequested();
            return (source + (keys.UseToken ? ", temporary (session token)" : string.Empty), Render.Mask(keys.AccessKey ?? string.Empty), true);
        }
        catch (AmazonClientException e)
        {
            return ("NONE: " + e.Message, "-", false);
        }
    }

    private static async Task<(bool Authorized, string Detail)> CheckAsync(LexPolicyClient client, string resource, CancellationToken ct)
    {
        try
        {
            var described = await client.DescribeResourcePolicyAsync(new DescribeResourcePolicyRequest { ResourceArn = resource }, ct);
            return (true, $"authorized (policy at revision {described.RevisionId})");
        }
        catch (ResourceNotFoundException)
        {
            return (true, "authorized (no policy, or no such resource: the API answers 404 for both)");
        }
        catch (LexPolicyException e)
        {
            return (false, $"FAILED: {e.ErrorCode ?? "error"} (HTTP {(int)e.StatusCode}): {e.Message}");
        }
    }
}
