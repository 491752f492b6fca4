from passaparola.cli import main

main()
