"""Smart triage (智能导诊): symptoms in Chinese → departments, with the matched terms and their free slots."""
