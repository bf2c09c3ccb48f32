using System.Collections.Concurrent;
using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Providers.Sqlite;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Base of every AsyncServer cmdlet. Engine work runs on the thread pool with a CancellationToken that
/// Ctrl+C (StopProcessing) cancels; meanwhile the pipeline thread drains a queue of log and progress
/// callbacks, because PowerShell only accepts Write* calls on its own thread.
/// </summary>
public abstract class AsyncServerCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private BlockingCollection<Action>? _pending;
    private EngineContext? _context;

    /// <summary>
    /// The configuration file. Default: $env:ASYNCSERVER_CONFIGURATION, else ./asyncserver.json. Bound from the pipeline too: every
    /// object an AsyncServer cmdlet writes after reading a configuration carries it (<see cref="WriteResult"/>), so
    /// <c>Get-AsyncSession -ConfigurationPath x | Restart-AsyncSession</c> needs it once.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Config")]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    /// <summary>User name and password for connections whose configuration says useCredential.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    // Hides Cmdlet.Stopping (a bool) on purpose: engine work takes this token instead.
    protected new CancellationToken Stopping => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>PowerShell disposes a cmdlet that is IDisposable when its pipeline has ended.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _stopping.Dispose();
    }

    protected string ResolvedConfigurationPath
    {
        get
        {
            var path = ConfigurationPath;
            if (path is null && Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION") is { Length: > 0 } env) path = env;
            return path is null
                ? Path.Combine(SessionState.Path.CurrentFileSystemLocation.ProviderPath, "asyncserver.json")
                : GetUnresolvedProviderPathFromPSPath(path);
        }
    }

    /// <summary>Where <see cref="ResolvedConfigurationPath"/> came from, for the error when the file is missing.</summary>
    protected ConfigurationOrigin ResolvedConfigurationOrigin => ConfigurationPath is not null ? ConfigurationOrigin.Parameter
        : Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION") is { Length: > 0 } ? ConfigurationOrigin.EnvironmentVariable
        : ConfigurationOrigin.CurrentFolder;

    /// <summary>
    /// The configuration and connections for this invocation, read once; read again only when a pipeline object names
    /// another configuration file (objects of two message databases piped into one command each go to their own).
    /// </summary>
    protected EngineContext Context
    {
        get
        {
            // The parameter as bound, not the resolved path: resolving reads SessionState, which only the pipeline thread may do,
            // and engine work on the thread pool reads Context too.
            if (_context is null || !string.Equals(ConfigurationPath, _contextSource, StringComparison.Ordinal))
                (_context, _contextSource) = (CreateContext(), ConfigurationPath);
            return _context;
        }
    }

    /// <summary>The -ConfigurationPath value <see cref="_context"/> was read for (null: the environment variable or ./asyncserver.json).</summary>
    private string? _contextSource;

    /// <summary>
    /// Writes an output object carrying the configuration it came from (a ConfigurationPath note property, which the next
    /// AsyncServer cmdlet in the pipeline binds). Objects of a command that read no configuration are written as they are.
    /// </summary>
    protected void WriteResult(object item)
    {
        if (_context?.Configuration.SourcePath is { } source)
        {
            var wrapped = PSObject.AsPSObject(item);
            if (wrapped.Properties["ConfigurationPath"] is null) wrapped.Properties.Add(new PSNoteProperty("ConfigurationPath", source));
            WriteObject(wrapped);
            return;
        }
        WriteObject(item);
    }

    protected virtual string? InstanceIdOverride => null;

    private EngineContext CreateContext()
    {
        AsyncServerConfiguration config;
        try
        {
            config = ConfigurationLoader.Load(ResolvedConfigurationPath, ResolvedConfigurationOrigin);
            ConfigurationLimits.ThrowIfViolated(config);
        }
        catch (AsyncServerException ex) { ThrowTerminatingError(ErrorMapping.ToErrorRecord(ex)); throw; }
        return EngineContext.Create(config, OnEngineLog, Credential?.GetNetworkCredential(), InstanceIdOverride);
    }

    /// <summary>The engine's log callback for work that runs without a configuration (the endpoint client).</summary>
    protected Action<EngineLogLevel, string, string> EngineLog => OnEngineLog;

    private void OnEngineLog(EngineLogLevel level, string category, string message)
    {
        Post(() =>
        {
            switch (level)
            {
                case EngineLogLevel.Trace or EngineLogLevel.Debug: WriteDebug(message); break;
                case EngineLogLevel.Information: WriteVerbose(message); break;
                case var _ when IsReportedAsError(level, category): WriteVerbose(message); break;
                default: WriteWarning(message); break;
            }
        });
    }

    /// <summary>
    /// True for an engine log entry about a failure this cmdlet reports itself as an ErrorRecord: it goes to
    /// the verbose stream instead of a warning, so each failure is reported once (and -ErrorAction silences it).
    /// </summary>
    protected virtual bool IsReportedAsError(EngineLogLevel level, string category) => false;

    /// <summary>Queues an action for the pipeline thread (dropped if no engine call is running).</summary>
    protected void Post(Action action)
    {
        var queue = _pending;
        if (queue is null) { return; }
        try { queue.Add(action); } catch (InvalidOperationException) { /* the call has just finished */ }
    }

    /// <summary>
    /// Runs engine work while pumping its callbacks here. Engine errors become terminating ErrorRecords with
    /// the engine's ErrorId; after Ctrl+C the pipeline stops.
    /// </summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> work, object? errorTarget = null)
    {
        try
        {
            return Execute(work);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorMapping.ToErrorRecord(ex, errorTarget));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>Like <see cref="Run{T}"/> but reports failure as one non-terminating error and returns default.</summary>
    protected T? TryRun<T>(Func<CancellationToken, Task<T>> work, object? errorTarget)
    {
        try
        {
            return Execute(work);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(ErrorMapping.ToErrorRecord(ex, errorTarget));
            return default;
        }
    }

    private T Execute<T>(Func<CancellationToken, Task<T>> work)
    {
        var queue = new BlockingCollection<Action>();
        _pending = queue;
        // A locked SQLite database is named and its wait reported on the verbose stream (issue 12, point 15).
        using var lockWait = SqliteLockWait.BeginScope(message => Post(() => WriteVerbose(message)));
        var task = Task.Run(() => work(Stopping), Stopping);
        task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
        try
        {
            foreach (var action in queue.GetConsumingEnumerable()) action();
        }
        finally
        {
            _pending = null;
            // After Stop() PowerShell throws out of the Write* calls above while the engine may still be marking
            // its sessions Canceled: never return before the engine work has ended, or a host that exits next
            // (the service on SIGTERM) would leave sessions in Started.
            if (!task.IsCompleted) ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
        }
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (SqliteLockWait.Translate(ex) is var translated && !ReferenceEquals(translated, ex))
        {
            throw translated;
        }
    }

    /// <summary>A progress reporter whose reports reach WriteProgress on the pipeline thread.</summary>
    protected IProgress<T> ProgressOf<T>(Func<T, ProgressRecord> map) => new QueueProgress<T>(this, map);

    private sealed class QueueProgress<T>(AsyncServerCmdlet owner, Func<T, ProgressRecord> map) : IProgress<T>
    {
        public void Report(T value) => owner.Post(() => owner.WriteProgress(map(value)));
    }

    // Activity ids whose bar is open (a Processing record was written and no Completed one since).
    private readonly HashSet<int> _openProgress = [];

    /// <summary>Writes a progress record, remembering whether its bar is still open.</summary>
    protected new void WriteProgress(ProgressRecord record)
    {
        if (record.RecordType == ProgressRecordType.Completed) _openProgress.Remove(record.ActivityId);
        else _openProgress.Add(record.ActivityId);
        base.WriteProgress(record);
    }

    /// <summary>
    /// Closes a progress bar that is still open (the engine failed or was stopped before it reported 100%).
    /// Exactly one Completed record per bar: a bar the engine already completed is left alone.
    /// </summary>
    protected void CompleteProgress(int activityId, string activity)
    {
        if (_openProgress.Contains(activityId))
            WriteProgress(new ProgressRecord(activityId, activity, "Stopped") { RecordType = ProgressRecordType.Completed });
    }

    /// <summary>
    /// ShouldProcess for an action that destroys data, in a cmdlet whose ConfirmImpact is lower because most of
    /// its uses do not: it confirms as a ConfirmImpact High action would ($ConfirmPreference High, the default,
    /// prompts; -Confirm:$false or $ConfirmPreference None does not; -WhatIf only describes).
    /// </summary>
    protected bool ShouldProcessDestructive(string target, string action)
    {
        if (!ShouldProcess(target, action)) return false;
        // -Confirm (either way) has decided already; ShouldProcess prompted for -Confirm:$true.
        if (MyInvocation.BoundParameters.ContainsKey("Confirm")) return true;
        var preference = SessionState.PSVariable.GetValue("ConfirmPreference") is ConfirmImpact p ? p : ConfirmImpact.High;
        // Below High, ShouldProcess has already prompted for this cmdlet's impact (or nothing prompts at None).
        if (preference != ConfirmImpact.High) return true;
        return ShouldContinue($"{action} on \"{target}\". This deletes data and cannot be undone.", "Confirm", ref _yesToAll, ref _noToAll);
    }

    // "Yes to All" / "No to All" answers of ShouldProcessDestructive, for the rest of this invocation.
    private bool _yesToAll, _noToAll;

}
