print("poolse")
