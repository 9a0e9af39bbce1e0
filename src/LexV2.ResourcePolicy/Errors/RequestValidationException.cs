using System.Net;
using System.Text;

namespace LexV2.ResourcePolicy;

/// <summary>One broken rule found by the client-side validation of a request.</summary>
/// <param name="MemberPath">The member, as a path such as <c>Principal[1].Arn</c> or <c>Condition["StringEquals"]</c>.</param>
/// <param name="Rule">The rule it breaks, in words, for example <c>must be at most 100 characters (was 130)</c>.</param>
public sealed record ValidationViolation(string MemberPath, string Rule)
{
    /// <inheritdoc/>
    public override string ToString() => MemberPath + ": " + Rule;
}

/// <summary>
/// A request broke one or more documented constraints and was not sent. Derives from <see cref="ValidationException"/> so that
/// one <c>catch</c> handles both the client's and the service's verdict; <see cref="Violations"/> lists every broken rule.
/// </summary>
public sealed class RequestValidationException : ValidationException
{
    /// <summary>Creates the exception from the broken rules.</summary>
    /// <param name="operation">The operation whose request was invalid.</param>
    /// <param name="violations">Every broken rule (at least one).</param>
    public RequestValidationException(string operation, IReadOnlyList<ValidationViolation> violations)
        : base(BuildMessage(operation, violations), default, "ClientValidationException", null)
    {
        Operation = operation;
        Violations = violations;
    }

    /// <summary>The operation whose request was invalid, for example <c>CreateResourcePolicyStatement</c>.</summary>
    public string Operation { get; }

    /// <summary>Every broken rule, in member order.</summary>
    public IReadOnlyList<ValidationViolation> Violations { get; }

    private static string BuildMessage(string operation, IReadOnlyList<ValidationViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var sb = new StringBuilder();
        sb.Append(operation).Append(" request is invalid and was not sent (")
          .Append(violations.Count).Append(violations.Count == 1 ? " problem" : " problems").Append("):");
        foreach (var v in violations)
        {
            sb.Append("\n - ").Append(v.MemberPath).Append(": ").Append(v.Rule);
        }

        return sb.ToString();
    }
}
