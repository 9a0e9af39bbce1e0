namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>Captures serve mode's output and completes <see cref="Address"/> when it prints its listening line.</summary>
internal sealed class ListeningWriter : StringWriter
{
    public TaskCompletionSource<Uri> Address { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task WriteLineAsync(string? value)
    {
        if (value?.StartsWith("Listening on ", StringComparison.Ordinal) == true)
        {
            Address.TrySetResult(new Uri(value["Listening on ".Length..]));
        }

        return base.WriteLineAsync(value);
    }
}
