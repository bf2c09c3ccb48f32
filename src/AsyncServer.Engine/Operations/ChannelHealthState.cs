namespace AsyncServer.Operations;

/// <summary>A store's health, the worst that applies first (docs/operations.md, "States").</summary>
public enum ChannelHealthState
{
    /// <summary>Nothing pending for longer than one contact interval, no failure, heard from recently.</summary>
    Healthy,
    /// <summary>A session has been pending for longer than one contact interval.</summary>
    Behind,
    /// <summary>A failed session blocks the later ones (Restart-AsyncSession or Stop-AsyncSession releases them).</summary>
    Blocked,
    /// <summary>Not heard from for longer than the configured number of contact intervals.</summary>
    Silent,
    /// <summary>Never called the endpoint and never changed a target.</summary>
    NeverConnected,
}
