namespace AsyncServer.Messaging;

/// <summary>Download session statuses, named as in AX/Commerce so administrators recognise them.</summary>
public enum SessionStatus
{
    /// <summary>The package is being created.</summary>
    Started,
    Available,
    Requested,
    Downloaded,
    Applied,
    Canceled,
    CreateFailed,
    DownloadFailed,
    ApplyFailed,
    /// <summary>The run found no change; no package. Hidden by default.</summary>
    NoData,
    /// <summary>Blocked behind an earlier failed session of the same channel database.</summary>
    Suspended,
}

public enum SessionKind { Incremental, Full }
