from salesauto.cli import main

main()
