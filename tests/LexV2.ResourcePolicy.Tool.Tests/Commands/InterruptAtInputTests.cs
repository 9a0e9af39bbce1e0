using static LexV2.ResourcePolicy.Tool.Tests.Commands.PlanApplyCommandTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Issue #22, hostile review: Ctrl+C while the tool waits on standard input (the apply confirmation, a file read from -). The
/// tool catches the first SIGINT to finish its writes cleanly, so a read that ignores it swallowed the Ctrl+C: the prompt kept
/// waiting and only a second Ctrl+C (which kills the process) got the operator out.
/// </summary>
[Trait("Issue", "22")]
public class InterruptAtInputTests
{
    [Fact]
    public async Task CtrlC_AtTheApplyConfirmation_EndsTheRun_NothingWritten_Exit130()
    {
        using var tool = new ToolHarness();
        var interrupt = new ToolInterrupt();
        using var input = new BlockingReader(() => interrupt.Request(ExitCodes.Interrupted));

        var run = await tool.RunAsync(["apply", "--file", tool.File_("lex.json", Desired())], new ToolHarness.Setting { Interactive = true, In = input, Interrupt = interrupt });

        Assert.True(run.Code == ExitCodes.Interrupted, $"exit {run.Code}: {run.Err}");
        Assert.Contains("Apply these changes? Only 'yes' is accepted: ", run.Err, StringComparison.Ordinal);
        Assert.Contains("Not applied: stopped by SIGINT at the confirmation; nothing was written.", run.Err, StringComparison.Ordinal);
        Assert.Empty(tool.Emulator.ResourceArns);
    }

    [Fact]
    public async Task CtrlC_WhileReadingTheFileFromStandardInput_EndsTheRun_NothingSent_Exit130()
    {
        using var tool = new ToolHarness();
        var interrupt = new ToolInterrupt();
        using var input = new BlockingReader(() => interrupt.Request(ExitCodes.Interrupted));
        int sent = tool.Sent;

        var run = await tool.RunAsync(["plan", "--file", "-"], new ToolHarness.Setting { In = input, Interrupt = interrupt });

        Assert.True(run.Code == ExitCodes.Interrupted, $"exit {run.Code}: {run.Err}");
        Assert.Contains("cancelled (SIGINT).", run.Err, StringComparison.Ordinal);
        Assert.Equal(sent, tool.Sent);
    }

    /// <summary>
    /// Standard input at a terminal where nobody types: each read raises <paramref name="onRead"/> (the Ctrl+C) and then blocks,
    /// for at most 20 s so that a tool that ignores the signal fails the test instead of hanging it.
    /// </summary>
    private sealed class BlockingReader(Action onRead) : TextReader
    {
        private readonly ManualResetEventSlim _released = new();

        public override string? ReadLine()
        {
            onRead();
            _released.Wait(TimeSpan.FromSeconds(20));
            return null;
        }

        public override string ReadToEnd() => ReadLine() ?? string.Empty;

        public override int Read() => ReadLine() is null ? -1 : 0;

        protected override void Dispose(bool disposing)
        {
            _released.Set();
            if (disposing)
            {
                _released.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
