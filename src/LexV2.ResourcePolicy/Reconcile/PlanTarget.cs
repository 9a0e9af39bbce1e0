using LexEndpoint = LexV2.ResourcePolicy.Endpoints.LexEndpoint;

namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>
/// Where a saved plan is to be applied, recorded in it when it is made: the endpoint URL each region's resources were read from,
/// and the accounts of its resources. Applying the plan against another target is refused (see <see cref="DifferencesFrom"/>).
/// </summary>
public sealed record PlanTarget
{
    /// <summary>Per region of the plan's resources (e.g. <c>us-east-1</c>), the endpoint its calls go to.</summary>
    public required IReadOnlyDictionary<string, Uri> Endpoints { get; init; }

    /// <summary>The account ids of the plan's resources, sorted.</summary>
    public required IReadOnlyList<string> AccountIds { get; init; }

    /// <summary>The target of a plan: its resources' regions, each with the endpoint <paramref name="endpointFor"/> gives, and their accounts.</summary>
    /// <param name="resourceArns">The plan's resource ARNs.</param>
    /// <param name="endpointFor">The endpoint a region's calls go to (for a <see cref="LexPolicyClient"/>: its <see cref="LexPolicyClient.Endpoint"/>).</param>
    /// <returns>The target.</returns>
    /// <exception cref="FormatException">An ARN is not a Lex V2 bot or bot-alias ARN.</exception>
    public static PlanTarget For(IEnumerable<string> resourceArns, Func<string, Uri> endpointFor)
    {
        ArgumentNullException.ThrowIfNull(resourceArns);
        ArgumentNullException.ThrowIfNull(endpointFor);
        var arns = resourceArns.Select(LexResourceArn.Parse).ToList();
        var endpoints = new SortedDictionary<string, Uri>(StringComparer.Ordinal);
        foreach (string region in arns.Select(a => a.Region).Distinct(StringComparer.Ordinal))
        {
            // Recorded without any user name or password the URL carries: the plan file is reviewed and kept.
            endpoints[region] = new Uri(LexEndpoint.Display(endpointFor(region)));
        }

        return new PlanTarget { Endpoints = endpoints, AccountIds = [.. arns.Select(a => a.AccountId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] };
    }

    /// <summary>How <paramref name="current"/> differs from this target (the one recorded in the plan), one sentence each; empty when it does not.</summary>
    /// <param name="current">The target the plan would be applied to now.</param>
    /// <returns>The differences.</returns>
    public IReadOnlyList<string> DifferencesFrom(PlanTarget current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var differences = new List<string>();
        foreach (string region in Endpoints.Keys.Union(current.Endpoints.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            bool planned = Endpoints.TryGetValue(region, out Uri? then);
            bool now = current.Endpoints.TryGetValue(region, out Uri? next);
            if (planned && now && then != new Uri(LexEndpoint.Display(next!)))
            {
                differences.Add($"{region}: the plan was made against {LexEndpoint.Display(then!)}, but this apply would send to {LexEndpoint.Display(next!)}");
            }
            else if (planned != now)
            {
                differences.Add(planned ? $"the plan has resources in {region}, the apply has none" : $"the apply has resources in {region}, the plan has none");
            }
        }

        if (!AccountIds.SequenceEqual(current.AccountIds, StringComparer.Ordinal))
        {
            differences.Add($"the plan was made for account(s) {string.Join(", ", AccountIds)}, but its resources are in {string.Join(", ", current.AccountIds)}");
        }

        return differences;
    }
}
