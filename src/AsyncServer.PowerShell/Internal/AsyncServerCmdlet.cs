using System.Collections.Concurrent;
using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Base of every AsyncServer cmdlet. Engine work runs on the thread pool with a CancellationToken that
/// Ctrl+C (StopProcessing) cancels; meanwhile the pipeline thread drains a queue of log and progress
/// callbacks, because PowerShell only accepts Write* calls on its own thread.
/// </summary>
public abstract class AsyncServerCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();
    private BlockingCollection<Action>? _pending;
    private EngineContext? _context;

    /// <summary>The configuration file. Default: $env:ASYNCSERVER_CONFIGURATION, else ./asyncserver.json.</summary>
    [Parameter]
    [Alias("Config")]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    /// <summary>User name and password for connections whose configuration says useCredential.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected CancellationToken Stopping => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

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

    /// <summary>The configuration and connections for this invocation, read once.</summary>
    protected EngineContext Context => _context ??= CreateContext();

    protected virtual string? InstanceIdOverride => null;

    private EngineContext CreateContext()
    {
        AsyncServerConfiguration config;
        try { config = ConfigurationLoader.Load(ResolvedConfigurationPath); }
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
                default: WriteWarning(message); break;
            }
        });
    }

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
    }

    /// <summary>A progress reporter whose reports reach WriteProgress on the pipeline thread.</summary>
    protected IProgress<T> ProgressOf<T>(Func<T, ProgressRecord> map) => new QueueProgress<T>(this, map);

    private sealed class QueueProgress<T>(AsyncServerCmdlet owner, Func<T, ProgressRecord> map) : IProgress<T>
    {
        public void Report(T value) => owner.Post(() => owner.WriteProgress(map(value)));
    }

}
