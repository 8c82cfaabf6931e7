import MimirWorkerCommands

WorkerCommand.main()
