using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool;

/// <summary>A resource a command works on, and where the user wrote it (a JSON path of a file), for messages.</summary>
/// <param name="Arn">The bot or bot-alias ARN (already validated).</param>
/// <param name="Where">Where it came from, e.g. <c>lex.json: $.resources[2].resourceArn</c>; <see langword="null"/> for an argument.</param>
internal sealed record ResourceRef(string Arn, string? Where);

/// <summary>
/// One client per region of the resources a command works on: a Lex V2 policy lives in its resource's region, which the ARN
/// names, so each region's calls go to that region's endpoint, signed for it (resolved by the library's usual rules). Checked for
/// all resources at once, before anything is sent: with <c>--region</c>, every ARN must be in that region; an endpoint that is
/// not per region (<c>--endpoint-url</c>, or one configured by the environment or profile) serves one region only. Calls are
/// routed by their request's resource ARN, so one reconciler covers a file that spans regions.
/// </summary>
internal sealed class RegionalClients : ILexPolicyClient, IDisposable
{
    private readonly SortedDictionary<string, LexPolicyClient> _clients;

    private RegionalClients(SortedDictionary<string, LexPolicyClient> clients)
    {
        _clients = clients;
    }

    /// <summary>The regions, sorted.</summary>
    public IReadOnlyCollection<string> Regions => _clients.Keys;

    public static RegionalClients Create(Connection connection, ToolEnvironment env, IReadOnlyList<ResourceRef> resources)
    {
        var arns = resources.Select(r => (Ref: r, Arn: LexResourceArn.Parse(r.Arn))).ToList();
        if (connection.Region is { } chosen && connection.RegionSource == "--region")
        {
            var elsewhere = arns.Where(a => a.Arn.Region != chosen).ToList();
            if (elsewhere.Count > 0)
            {
                // Every resource that does not fit, at once: one line each.
                throw new ToolException(string.Join(
                    "\nerror: ",
                    elsewhere.Select(a => $"{(a.Ref.Where is null ? string.Empty : a.Ref.Where + ": ")}{a.Arn} is in {a.Arn.Region}, but --region is {chosen}: a resource's policy lives in its own region. Leave out --region (each resource's region comes from its ARN) or correct the ARN.")) +
                    "\nNothing was sent.");
            }
        }

        string[] regions = [.. arns.Select(a => a.Arn.Region).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (regions.Length > 1 && connection.EndpointUrl is { } endpoint)
        {
            throw new ToolException($"--endpoint-url {Output.Render.Url(endpoint)} sends every call to one endpoint, but the resources are in {regions.Length} regions ({string.Join(", ", regions)}); a resource's policy lives in its own region. Run once per region (a file per region), or leave out --endpoint-url. Nothing was sent.");
        }

        var clients = new SortedDictionary<string, LexPolicyClient>(StringComparer.Ordinal);
        try
        {
            foreach (string region in regions)
            {
                clients[region] = connection.CreateClient(env, region);
            }

            if (regions.Length > 1 && clients.Values.FirstOrDefault(c => c.EndpointSource != Connection.RegionalEndpointSource) is { } configured)
            {
                throw new ToolException($"an endpoint is configured by {configured.EndpointSource} ({Output.Render.Url(configured.Endpoint)}), which serves one region, but the resources are in {regions.Length} regions ({string.Join(", ", regions)}). Run once per region, or set AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true to use each region's endpoint. Nothing was sent.");
            }
        }
        catch
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }

            throw;
        }

        return new RegionalClients(clients);
    }

    /// <summary>The client of <paramref name="resourceArn"/>'s region.</summary>
    public LexPolicyClient For(string resourceArn) =>
        LexResourceArn.TryParse(resourceArn, out var arn, out _) && _clients.TryGetValue(arn.Region, out var client)
            ? client
            : throw new ToolException($"{resourceArn} is not one of the resources this command was started for.");

    /// <summary>The endpoint of a region's client (for a saved plan's target).</summary>
    public Uri EndpointFor(string region) => _clients.TryGetValue(region, out var client)
        ? client.Endpoint
        : throw new ToolException($"no resource of this command is in {region}.");

    /// <summary>The target of a plan over these clients: each region's endpoint and the resources' accounts.</summary>
    public PlanTarget TargetOf(IEnumerable<string> resourceArns) => PlanTarget.For(resourceArns, EndpointFor);

    public Task<CreateResourcePolicyStatementResponse> CreateResourcePolicyStatementAsync(CreateResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) =>
        For(request.ResourceArn).CreateResourcePolicyStatementAsync(request, cancellationToken);

    public Task<DeleteResourcePolicyStatementResponse> DeleteResourcePolicyStatementAsync(DeleteResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) =>
        For(request.ResourceArn).DeleteResourcePolicyStatementAsync(request, cancellationToken);

    public Task<CreateResourcePolicyResponse> CreateResourcePolicyAsync(CreateResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        For(request.ResourceArn).CreateResourcePolicyAsync(request, cancellationToken);

    public Task<DescribeResourcePolicyResponse> DescribeResourcePolicyAsync(DescribeResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        For(request.ResourceArn).DescribeResourcePolicyAsync(request, cancellationToken);

    public Task<UpdateResourcePolicyResponse> UpdateResourcePolicyAsync(UpdateResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        For(request.ResourceArn).UpdateResourcePolicyAsync(request, cancellationToken);

    public Task<DeleteResourcePolicyResponse> DeleteResourcePolicyAsync(DeleteResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        For(request.ResourceArn).DeleteResourcePolicyAsync(request, cancellationToken);

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
