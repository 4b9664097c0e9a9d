"""微心愿: wishes of households in need, collected by grid workers and fulfilled by members."""
