using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LexV2.ResourcePolicy.Benchmarks.Socket;

/// <summary>
/// Whole-process counters for a stretch of work: CPU time (user + system, all threads), bytes allocated (all threads:
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/>, since an async call moves between threads), thread-pool work items completed
/// and context switches (voluntary: a thread waited, e.g. for the next hop's wake-up; involuntary: it was preempted, which
/// mostly measures other load on the machine; all threads). On Linux CPU time and context switches come from
/// <c>getrusage(RUSAGE_SELF)</c>: microsecond CPU time (<see cref="Process.TotalProcessorTime"/> has the 10 ms resolution
/// of /proc/PID/stat there) and switches of every thread, exited ones included (/proc/self/status counts the main thread only).
/// </summary>
public readonly partial record struct ProcessCounters(TimeSpan Cpu, long AllocatedBytes, long WorkItems, long VoluntarySwitches, long InvoluntarySwitches)
{
    public static ProcessCounters Now()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long workItems = ThreadPool.CompletedWorkItemCount;
        if (OperatingSystem.IsLinux() && Native.getrusage(0 /* RUSAGE_SELF */, out var usage) == 0)
        {
            long cpuMicroseconds = (usage.UserSeconds + usage.SystemSeconds) * 1_000_000 + usage.UserMicroseconds + usage.SystemMicroseconds;
            return new ProcessCounters(TimeSpan.FromMicroseconds(cpuMicroseconds), allocated, workItems, usage.VoluntarySwitches, usage.InvoluntarySwitches);
        }

        using var self = Process.GetCurrentProcess();
        return new ProcessCounters(self.TotalProcessorTime, allocated, workItems, -1, -1);
    }

    public static ProcessCounters operator -(ProcessCounters after, ProcessCounters before) => new(
        after.Cpu - before.Cpu,
        after.AllocatedBytes - before.AllocatedBytes,
        after.WorkItems - before.WorkItems,
        after.VoluntarySwitches < 0 || before.VoluntarySwitches < 0 ? -1 : after.VoluntarySwitches - before.VoluntarySwitches,
        after.InvoluntarySwitches < 0 || before.InvoluntarySwitches < 0 ? -1 : after.InvoluntarySwitches - before.InvoluntarySwitches);

    /// <summary><c>struct rusage</c> of 64-bit Linux: two <c>timeval</c>s, then fourteen <c>long</c>s.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRss;
        public long SharedMemory;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }

    internal static partial class Native
    {
        [LibraryImport("libc", SetLastError = true)]
        internal static partial int getrusage(int who, out RUsage usage);
    }
}
