using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Testing;
using static LexV2.ResourcePolicy.Tool.Tests.Reconcile.PolicyReconcilerTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>Hostile review (issues 13-15): drift the plan must see.</summary>
public class ReconcileDriftTests
{
    /// <summary>
    /// Statement equality ignores <c>Resource</c>. A statement whose Resource was changed (by hand, by another tool) to another
    /// bot no longer grants anything on this one, yet plan reports it unchanged and <c>plan --detailed-exitcode</c> exits 0:
    /// the drift that breaks Amazon Connect's access is invisible, and apply never repairs it.
    /// </summary>
    [Fact]
    public async Task Plan_SeesAStatementWhoseResourceWasPointedElsewhere()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var wanted = Role(Bot, "App");
        await client.CreateResourcePolicyStatementAsync(wanted);
        var drifted = PolicyDocument.Parse(emulator.GetPolicy(Bot)!.Policy);
        drifted = drifted with { Statement = [drifted.Statement[0] with { Resource = PolicyValues.One("arn:aws:lex:us-east-1:123456789012:bot/OTHERBOT12") }] };
        emulator.SeedPolicy(Bot, drifted.ToJson(), revision: 2);

        var plan = await new PolicyReconciler(client).PlanAsync(new DesiredState { Resources = [Resource(Bot, false, wanted)] });

        Assert.True(plan.HasChanges, "a statement granting on another resource is reported unchanged");
    }
}
