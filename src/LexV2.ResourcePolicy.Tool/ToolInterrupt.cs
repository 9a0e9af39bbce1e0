using System.Runtime.InteropServices;

namespace LexV2.ResourcePolicy.Tool;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM, as a cancellation the commands can act on: the first signal is caught (the process keeps
/// running), cancels <see cref="Token"/> and fixes the exit code the shell expects (130 for SIGINT, 143 for SIGTERM); a
/// command then stops starting new work and reports what it did. A second signal is not caught, so it ends the process at once.
/// </summary>
internal sealed class ToolInterrupt : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _exitCode;

    /// <summary>Cancelled by the first signal (or by <see cref="Request"/>).</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether a signal came.</summary>
    public bool Requested => Volatile.Read(ref _exitCode) != 0;

    /// <summary>The exit code for the signal that came: 130 (SIGINT) or 143 (SIGTERM); 0 when none came.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>The signal's name, for messages: <c>SIGINT</c> or <c>SIGTERM</c>.</summary>
    public string SignalName => ExitCode == ExitCodes.Terminated ? "SIGTERM" : "SIGINT";

    /// <summary>Catches SIGINT and SIGTERM for this process (where the platform has them).</summary>
    public static ToolInterrupt FromProcessSignals()
    {
        var interrupt = new ToolInterrupt();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                interrupt._registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    // The first signal is ours to handle; a second one takes the default action and ends the process.
                    context.Cancel = interrupt.Request(context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted);
                }));
            }
            catch (PlatformNotSupportedException)
            {
                // No such signal here: the default action applies.
            }
        }

        return interrupt;
    }

    /// <summary>Records a signal and cancels <see cref="Token"/>; returns <see langword="false"/> when one had already come.</summary>
    /// <param name="exitCode"><see cref="ExitCodes.Interrupted"/> or <see cref="ExitCodes.Terminated"/>.</param>
    public bool Request(int exitCode)
    {
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0)
        {
            return false;
        }

        _source.Cancel();
        return true;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }
}
