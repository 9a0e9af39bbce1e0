namespace LexV2.ResourcePolicy;

/// <summary>
/// An IAM principal that a statement allows or denies: either an AWS service (<see cref="Service"/>, for example
/// <c>connect.amazonaws.com</c>) or an IAM user, role or account root of the resource's own account (<see cref="Arn"/>).
/// Exactly one of the two must be set.
/// </summary>
public sealed record Principal
{
    /// <summary>The service principal name, for example <c>lexv2.amazonaws.com</c> (15–1024 characters, <c>[0-9a-zA-Z_.]</c>).</summary>
    public string? Service { get; init; }

    /// <summary>The ARN of an IAM user, role or account root, for example <c>arn:aws:iam::123456789012:role/deployer</c>.</summary>
    public string? Arn { get; init; }

    /// <summary>Creates a service principal.</summary>
    /// <param name="service">The service principal name, for example <c>connect.amazonaws.com</c>.</param>
    /// <returns>A principal with only <see cref="Service"/> set.</returns>
    public static Principal ForService(string service) => new() { Service = service };

    /// <summary>Creates an IAM principal from its ARN.</summary>
    /// <param name="arn">The ARN of an IAM user, role or account root.</param>
    /// <returns>A principal with only <see cref="Arn"/> set.</returns>
    public static Principal ForArn(string arn) => new() { Arn = arn };
}
