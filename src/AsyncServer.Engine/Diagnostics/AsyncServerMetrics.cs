using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AsyncServer.Diagnostics;

/// <summary>
/// The engine's instruments, published through System.Diagnostics.Metrics only: any listener (the service's
/// OpenTelemetry exporters, dotnet-counters) may collect them, and the engine depends on no exporter. Names and units
/// follow the OpenTelemetry semantic conventions (dotted lower-case names, UCUM units, "{thing}" for counts); every
/// instrument is listed in docs/operations.md. The health gauges are in <c>Operations/HealthMetrics</c>.
/// </summary>
public static class AsyncServerMetrics
{
    public const string MeterName = "AsyncServer";

    /// <summary>The one meter of the engine (instruments are created once, for the process).</summary>
    public static readonly Meter Meter = new(MeterName, typeof(AsyncServerMetrics).Assembly.GetName().Version?.ToString(3));

    // Attribute names: the project's own namespace, as the conventions ask for attributes they do not define.
    public const string JobTag = "asyncserver.job";
    public const string DataGroupTag = "asyncserver.data_group";
    public const string KindTag = "asyncserver.session.kind";
    public const string StatusTag = "asyncserver.session.status";
    public const string ResultTag = "asyncserver.result";
    public const string WorkTag = "asyncserver.work";

    private static readonly Counter<long> PackagedRows = Meter.CreateCounter<long>(
        "asyncserver.package.rows", "{row}", "Rows written into download packages.");
    private static readonly Counter<long> PackagedBytes = Meter.CreateCounter<long>(
        "asyncserver.package.size", "By", "Bytes of download packages written.");
    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        "asyncserver.distribution.duration", "s", "How long one pass of a distribution run (job, data group) took, from the snapshot to the record.");
    private static readonly Counter<long> SessionsRecorded = Meter.CreateCounter<long>(
        "asyncserver.session.recorded", "{session}", "Download sessions recorded, by the status they were recorded with.");
    private static readonly Histogram<double> ApplyDuration = Meter.CreateHistogram<double>(
        "asyncserver.client.apply.duration", "s", "How long applying one package to a channel database took, in its channel transaction.");
    private static readonly Counter<long> LeaseTakeovers = Meter.CreateCounter<long>(
        "asyncserver.lease.takeovers", "{takeover}", "Work taken over from an instance that stopped without finishing it (swept sessions).");
    private static readonly Counter<long> LeasesLost = Meter.CreateCounter<long>(
        "asyncserver.lease.lost", "{lease}", "Leases this instance lost while working (renewal refused or failing for a whole lease).");
    private static readonly Counter<long> UploadedRows = Meter.CreateCounter<long>(
        "asyncserver.upload.rows", "{row}", "Rows received from stores in upload packages and written to HQ.");

    public static void Packaged(string job, string dataGroup, long rows, long bytes)
    {
        var tags = new TagList { { JobTag, job }, { DataGroupTag, dataGroup } };
        PackagedRows.Add(rows, tags);
        PackagedBytes.Add(bytes, tags);
    }

    /// <summary>A pass that recorded its sessions; <paramref name="startedAt"/> is a <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static void PassCompleted(string job, string dataGroup, string kind, long startedAt)
        => RunDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
            new TagList { { JobTag, job }, { DataGroupTag, dataGroup }, { KindTag, kind }, { ResultTag, "succeeded" } });

    /// <summary>A run that failed or was stopped after <paramref name="startedAt"/>.</summary>
    public static void RunFailed(string job, string dataGroup, long startedAt)
        => RunDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
            new TagList { { JobTag, job }, { DataGroupTag, dataGroup }, { KindTag, "" }, { ResultTag, "failed" } });

    public static void Recorded(string job, string dataGroup, string status, int count)
    {
        if (count > 0) SessionsRecorded.Add(count, new TagList { { JobTag, job }, { DataGroupTag, dataGroup }, { StatusTag, status } });
    }

    public static void Applied(string job, bool succeeded, long startedAt)
        => ApplyDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
            new TagList { { JobTag, job }, { ResultTag, succeeded ? "succeeded" : "failed" } });

    /// <param name="work">download or receive: what kind of work was taken over.</param>
    public static void TookOver(string work, int sessions) => LeaseTakeovers.Add(sessions, new TagList { { WorkTag, work } });

    public static void LostLease(string resource)
        => LeasesLost.Add(1, new TagList { { WorkTag, resource.Split('/')[0] } });

    /// <summary>Rows of an upload package written to HQ (the upload side records it).</summary>
    public static void Uploaded(string job, string dataGroup, long rows)
        => UploadedRows.Add(rows, new TagList { { JobTag, job }, { DataGroupTag, dataGroup } });
}
