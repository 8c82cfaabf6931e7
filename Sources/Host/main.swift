import MimirCore
import MimirWorkerCommands

SignalMask.unblockAll()
WorkerCommand.main()
